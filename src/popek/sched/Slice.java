package popek.sched;

/** One worker's slice, reused for every run: when it must end, and what the run reports back. */
public final class Slice {
    /** When the run started and when it must end (scheduler clock, ns); the end may move earlier while it runs. */
    volatile long start, end;
    /** Out: of the run's time, how much was the kernel's (system calls, faults) rather than the program's. */
    public long systemNanos;
    /**
     * Out, with {@link Schedulable.Outcome#BLOCKED}: wake it at this time (scheduler clock) if nothing else does;
     * MAX_VALUE: the timeout set by {@link HostScheduler#setWakeAt} while it ran, if any, else none.
     */
    public long wakeAt = Long.MAX_VALUE;

    /** When this run must end (scheduler clock, ns). */
    public long end() { return end; }

    public long start() { return start; }

    void reset(long startNanos, long endNanos) {
        start = startNanos;
        end = endNanos;
        systemNanos = 0;
        wakeAt = Long.MAX_VALUE;
    }
}
