package popek.sched;

/**
 * The scheduler's own work, counted: slices started (switches), the host time a worker spent between one run's end
 * and the next run's start (the policy, the lock, the bookkeeping; not idle time, nor a kernel's housekeeping), and
 * how slices ended. Written under the scheduler's lock or by one worker at a time; read racily for reports.
 */
public final class SchedStats {
    volatile long switches, switchNanos, wakeupPreemptions, sliceEnds, repeatedPreemptions;

    synchronized void switched(long nanos) {
        switches++;
        switchNanos += nanos;
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
