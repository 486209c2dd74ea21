package popek.cgroup;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The memory controller of one cgroup: the settings cgroup-v2.rst names ({@code memory.max}, {@code memory.high},
 * {@code memory.low}, {@code memory.min}, {@code memory.swap.max}, {@code memory.oom.group}), the bytes charged to the
 * cgroup and its descendants ({@code memory.current}, by kind for {@code memory.stat}, the high-water mark for
 * {@code memory.peak}) and the event counters of {@code memory.events} (hierarchical) and
 * {@code memory.events.local}. Charges are made through {@link Cgroup#chargeMemory}, which walks up the tree.
 */
public final class MemoryControl {
    /** "max": no limit. */
    public static final long MAX = Long.MAX_VALUE;
    /** What a charge is for (memory.stat's keys): anonymous pages, page-cache pages, shared memory, kernel stacks, page tables. */
    public static final int ANON = 0, FILE = 1, SHMEM = 2, KERNEL_STACK = 3, PAGETABLES = 4, KINDS = 5;
    /** memory.events' keys, in the file's order. */
    public static final int LOW = 0, HIGH = 1, MAX_EVENT = 2, OOM = 3, OOM_KILL = 4, OOM_GROUP_KILL = 5, EVENTS = 6;
    static final String[] EVENT_NAMES = {"low", "high", "max", "oom", "oom_kill", "oom_group_kill"};

    private volatile long max = MAX, high = MAX, low, min;
    /** Popek has no swap: memory.swap.max reads 0 until written, and nothing is ever swapped whatever it says. */
    private volatile long swapMax;
    private volatile boolean oomGroup;

    final AtomicLong current = new AtomicLong(), peak = new AtomicLong();
    private final AtomicLongArray byKind = new AtomicLongArray(KINDS);
    private final AtomicLongArray events = new AtomicLongArray(EVENTS), localEvents = new AtomicLongArray(EVENTS);
    /** Page faults of the cgroup's processes (memory.stat's pgfault), pages reclaimed from it (pgsteal). */
    final AtomicLong faults = new AtomicLong(), reclaimed = new AtomicLong();
    /** The high-water marks of file descriptors that reset memory.peak (a write to it): each follows usage from then on. */
    private volatile AtomicLong[] peakWatchers = new AtomicLong[0];

    MemoryControl() { }

    public long max() { return max; }

    public long high() { return high; }

    public long low() { return low; }

    public long min() { return min; }

    public long swapMax() { return swapMax; }

    public boolean oomGroup() { return oomGroup; }

    /** Sets memory.max in bytes (MAX for none), rounded down to whole pages as Linux's page counters keep it. */
    public void setMax(long bytes) { max = pages(bytes); }

    public void setHigh(long bytes) { high = pages(bytes); }

    public void setLow(long bytes) { low = pages(bytes); }

    public void setMin(long bytes) { min = pages(bytes); }

    public void setSwapMax(long bytes) { swapMax = pages(bytes); }

    public void setOomGroup(boolean on) { oomGroup = on; }

    private static long pages(long bytes) { return bytes == MAX ? MAX : bytes & ~4095L; }

    /** memory.current: bytes charged to this cgroup and its descendants. */
    public long current() { return current.get(); }

    /** memory.peak: the most {@link #current} has been since the cgroup was made. */
    public long peak() { return peak.get(); }

    /** Bytes of one kind (ANON, FILE, ...) charged to this cgroup and its descendants. */
    public long charged(int kind) { return byKind.get(kind); }

    /** memory.events' counter {@code event} (this cgroup's and its descendants'). */
    public long events(int event) { return events.get(event); }

    /** memory.events.local's counter {@code event} (this cgroup's own). */
    public long localEvents(int event) { return localEvents.get(event); }

    /** memory.stat's pgfault: page faults the cgroup's processes took. */
    public long faults() { return faults.get(); }

    /** memory.stat's pgsteal: pages reclaimed to make room in this cgroup (or an ancestor). */
    public long reclaimed() { return reclaimed.get(); }

    /** Bytes charged while above memory.high since the pressure handler last heard of it. */
    private final AtomicLong overHigh = new AtomicLong();
    /** How much may be charged above memory.high between two reclaims (Linux's charge batch: 64 pages). */
    static final long HIGH_BATCH = 64 * 4096;

    /** {@code bytes} were charged while above memory.high: true once per {@link #HIGH_BATCH}, when it is time to act. */
    public boolean passHigh(long bytes) {
        if (overHigh.addAndGet(bytes) < HIGH_BATCH) return false;
        overHigh.set(0);
        return true;
    }


    /** A charge went through at this level: the kind's figure and the peaks follow. */
    void committed(int kind, long bytes, long now) {
        byKind.addAndGet(kind, bytes);
        if (now > peak.get()) peak.accumulateAndGet(now, Math::max);
        for (AtomicLong w : peakWatchers) if (now > w.get()) w.accumulateAndGet(now, Math::max);
    }

    void uncommitted(int kind, long bytes) {
        current.addAndGet(-bytes);
        byKind.addAndGet(kind, -bytes);
    }

    void countEvent(int event, boolean local) {
        events.incrementAndGet(event);
        if (local) localEvents.incrementAndGet(event);
    }

    /** A file descriptor's own memory.peak, reset to the usage now: it follows usage until {@link #unwatchPeak}. */
    synchronized AtomicLong watchPeak() {
        AtomicLong w = new AtomicLong(current.get());
        AtomicLong[] now = java.util.Arrays.copyOf(peakWatchers, peakWatchers.length + 1);
        now[now.length - 1] = w;
        peakWatchers = now;
        return w;
    }

    synchronized void unwatchPeak(AtomicLong w) {
        AtomicLong[] now = java.util.Arrays.stream(peakWatchers).filter(x -> x != w).toArray(AtomicLong[]::new);
        peakWatchers = now;
    }
}
