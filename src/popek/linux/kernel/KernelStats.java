package popek.linux.kernel;

/** What {@code popek run --stats} reports beside the system calls and page faults: switches and processes. */
public final class KernelStats {
    /** Time each system call (two clock reads per call, so only when asked). */
    public volatile boolean timing;
    public long contextSwitches;
    public long processesCreated, threadsCreated, execs;
    public long signalsDelivered;
    /** Batches of quarantined frames made reusable, and the frames in them. */
    public long frameRecycles, framesRecycled;
}
