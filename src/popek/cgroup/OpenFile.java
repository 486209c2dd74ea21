package popek.cgroup;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One open cgroup file: the kernel it answers for (bound to the caller that opened it) and what belongs to this open
 * file alone (the memory.peak a write reset, followed until it is closed).
 */
public final class OpenFile {
    private final CgroupKernel kernel;
    private MemoryControl watched;
    private AtomicLong peak;

    public OpenFile(CgroupKernel kernel) { this.kernel = kernel; }

    public CgroupKernel kernel() { return kernel; }

    /** This file's own memory.peak, or null before a write reset it. */
    synchronized AtomicLong peak() { return peak; }

    /** memory.peak written: from now on this file reads the peak since now. */
    synchronized void resetPeak(MemoryControl m) {
        if (peak != null) watched.unwatchPeak(peak);
        watched = m;
        peak = m.watchPeak();
    }

    /** The file was closed for the last time. */
    public synchronized void close() {
        if (peak != null) watched.unwatchPeak(peak);
        peak = null;
    }
}
