package popek.sched;

import popek.cgroup.Cgroup;
import popek.cgroup.CpuControl;

/**
 * One schedulable thing as the host scheduler sees it: a container's task or a VM's vCPU, the cgroup whose queue it
 * waits in, the CPU it must share with its siblings (a kernel's one engine), and its scheduling state and counters.
 * Made by its owner; the scheduler takes it on with {@link HostScheduler#wake}.
 */
public final class Entity extends Node {
    /** Where an entity is in its life. */
    public enum State { NEW, RUNNABLE, RUNNING, BLOCKED, DONE }

    final Schedulable work;
    final String name;
    final SharedCpu cpu;
    /** A kernel's housekeeping: when it wakes while its CPU is held, the holder is preempted at once. */
    final boolean urgent;
    /** The cgroup it is charged to (its queue's), as asked; the scheduler moves it there at its next enqueue. */
    volatile Cgroup cgroup;
    volatile State state = State.NEW;
    /** Woken while it ran: when its run returns BLOCKED, it is runnable at once. */
    boolean wakePending;
    /** When a blocked entity is woken if nothing else wakes it (scheduler clock), and its place in the timer heap. */
    long wakeAt = Long.MAX_VALUE;
    int timerIndex = -1;
    /** The slice it was given at its pick (reserved from its groups' cpu.max quota until it returns). */
    long granted;
    /** While it runs: when its slice began, and up to when its vruntime has been charged (scheduler clock). */
    long sliceStart, chargedUntil;
    /** When it was last made runnable by a wake-up (scheduler clock): the start of a wake-up's latency. */
    long wokenAt;

    /** Counters (written under the scheduler's lock): time run, slices, slices ended by preemption, wake-ups. */
    long runNanos, slices, preemptions, wakeups;

    /**
     * An entity of {@code cgroup} that runs {@code work}; {@code cpu}: the CPU it shares with others (null: its own);
     * {@code urgent}: a kernel's housekeeping, which preempts its CPU's holder when woken.
     */
    public Entity(Schedulable work, String name, Cgroup cgroup, SharedCpu cpu, boolean urgent) {
        this.work = work;
        this.name = name;
        this.cgroup = cgroup;
        this.cpu = cpu;
        this.urgent = urgent;
    }

    public Entity(Schedulable work, String name, Cgroup cgroup) { this(work, name, cgroup, null, false); }

    @Override
    int weight() { return CpuControl.DEFAULT_WEIGHT; }

    public State state() { return state; }

    public String name() { return name; }

    public Cgroup cgroup() { return cgroup; }

    /** Moves it to {@code c}: it is charged there from its next enqueue on (cgroup.procs). */
    public void moveTo(Cgroup c) { cgroup = c; }

    /** Host time it has run, ns. */
    public synchronized long runNanos() { return runNanos; }

    public long slices() { return slices; }

    @Override
    public String toString() { return name; }
}
