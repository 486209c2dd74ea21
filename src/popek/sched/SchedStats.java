package popek.sched;

/**
 * The scheduler's own work, counted: slices started (switches), the host time a worker spent between one run's end
 * and the next run's start (the policy, the lock, the bookkeeping; not idle time, nor a kernel's housekeeping), and
 * how slices ended. Written under the scheduler's lock or by one worker at a time; read racily for reports.
 */
public final class SchedStats {
    volatile long switches, switchNanos, wakeupPreemptions, sliceEnds, repeatedPreemptions;
    /** The last {@link #SAMPLES} switch times, for a median that the host's own preemption of a worker does not skew. */
    private static final int SAMPLES = 4096;
    private final long[] recent = new long[SAMPLES];

    synchronized void switched(long nanos) {
        recent[(int) (switches % SAMPLES)] = nanos;
        switches++;
        switchNanos += nanos;
    }

    /** The median host time of the last 4096 switches, ns (0: none yet). */
    public synchronized long medianSwitchNanos() {
        int n = (int) Math.min(switches, SAMPLES);
        if (n == 0) return 0;
        long[] copy = java.util.Arrays.copyOf(recent, n);
        java.util.Arrays.sort(copy);
        return copy[n / 2];
    }

    /** Slices started after another ended on the same worker. */
    public long switches() { return switches; }

    /** Host time those switches took, ns. */
    public long switchNanos() { return switchNanos; }

    /** Running entities preempted because a woken one was behind them. */
    public long wakeupPreemptions() { return wakeupPreemptions; }

    /** Slices ended by their time running out. */
    public long sliceEnds() { return sliceEnds; }

    /** Preemptions asked again because the first stop was not acknowledged in time. */
    public long repeatedPreemptions() { return repeatedPreemptions; }
}
