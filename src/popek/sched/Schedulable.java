package popek.sched;

/**
 * Something the host scheduler runs on a worker thread: a container's task or a VM's vCPU. It runs in slices; each
 * ends when its work blocks, finishes, or when the scheduler asks for the CPU back with {@link #preempt} (the engine's
 * stop, the mechanism a VM's run already uses to come back for a device deadline).
 */
public interface Schedulable {
    /**
     * Runs on the calling worker until {@code slice.end} (scheduler clock) at most, or until {@link #preempt} is
     * called; says how it left. {@code slice} also carries back what the run reports (system time, a wake-up time).
     */
    Outcome run(Slice slice);

    /**
     * Makes the current run return soon (any thread). It may come when no run is in progress, or twice for one run:
     * both must be harmless (a stop that lands between two runs of an engine is lost, so the scheduler repeats it
     * until the run has returned).
     */
    void preempt();

    /** How a slice ended. */
    enum Outcome {
        /** Still runnable: its slice ended, or it was preempted. */
        PREEMPTED,
        /** Still runnable, and it gave the CPU up (sched_yield): it goes behind its peers. */
        YIELDED,
        /** Waiting (a system call that sleeps, {@code hlt}, HC_BLOCK) until {@link HostScheduler#wake} or {@link Slice#wakeAt}. */
        BLOCKED,
        /** Finished: it never runs again. */
        DONE
    }
}
