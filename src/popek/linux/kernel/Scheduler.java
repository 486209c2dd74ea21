package popek.linux.kernel;

import java.util.ArrayList;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;

import popek.sched.Entity;
import popek.sched.HostScheduler;
import popek.sched.Schedulable;
import popek.sched.SharedCpu;
import popek.sched.Slice;

/**
 * A kernel's side of the host scheduler ({@link popek.sched}): each task is an entity there, sharing the kernel's
 * one CPU ({@link SharedCpu}: at most one task of a kernel runs at a time); the kernel keeps its own sleepers with a
 * deadline and the work posted by host threads (terminal input, a kill from outside). That housekeeping is done by
 * whichever worker takes or gives back the kernel's CPU, and, while no task runs, by a housekeeping entity the host
 * scheduler wakes at the next deadline or when work is posted (it preempts a running task of the kernel at once).
 */
public final class Scheduler implements SharedCpu.Owner {
    private final PriorityQueue<Task> timers = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private final Kernel kernel;
    private final Clock clock;
    final SharedCpu cpu = new SharedCpu(this);
    private final Entity service;
    /** Tasks made runnable before the kernel was given a host scheduler. */
    private final ArrayList<Task> early = new ArrayList<>();
    private volatile HostScheduler host;
    private volatile boolean finished;
    private final CountDownLatch done = new CountDownLatch(1);
    /** The service's timeout as last given to the host (kernel-monotonic ns). */
    private long armedAt = Long.MAX_VALUE;

    Scheduler(Kernel kernel, Clock clock) {
        this.kernel = kernel;
        this.clock = clock;
        this.service = new Entity(new Housekeeping(), "kernel housekeeping", kernel.cgroup(), cpu, true);
    }

    /** The entity a task is to the host scheduler. */
    Entity newEntity(Task t) {
        return new Entity(new TaskRun(t), "task " + t.tid, kernel.cgroup(), cpu, false);
    }

    /** Runs the kernel's tasks on {@code h} from now on. */
    synchronized void attach(HostScheduler h) {
        host = h;
        for (Task t : early) if (t.runState == Task.State.RUNNABLE) h.wake(t.entity);
        early.clear();
        h.wake(service);
    }

    /** Makes a task that was sleeping (or is new, or stopped) runnable. */
    synchronized void wake(Task t) {
        if (t.runState == Task.State.SLEEPING) {
            t.stopWaiting();
        } else if (t.runState != Task.State.NEW && t.runState != Task.State.STOPPED) {
            return;
        }
        t.runState = Task.State.RUNNABLE;
        HostScheduler h = host;
        if (h == null) early.add(t);
        else h.wake(t.entity);
    }

    /** Takes a task off the run queue (it went back to running, or died). */
    synchronized void dequeue(Task t) {
        HostScheduler h = host;
        if (h == null) early.remove(t);
        else h.dequeue(t.entity);
    }

    synchronized void addTimer(Task t) {
        timers.remove(t);
        timers.add(t);
    }

    synchronized void removeTimer(Task t) { timers.remove(t); }

    /** Wakes every sleeper whose deadline has passed; returns the next deadline (MAX_VALUE: none). */
    synchronized long fireTimers(long now) {
        Task t;
        while ((t = timers.peek()) != null && t.deadline <= now) {
            timers.poll();
            t.timedOut = true;
            wake(t);
        }
        return t == null ? Long.MAX_VALUE : t.deadline;
    }

    /** An interval timer was set to expire at kernel-monotonic {@code at}: the housekeeping must run by then. */
    synchronized void timerSet(long at) {
        if (at < armedAt) arm(at);
    }

    /** Runs {@code r} on the kernel's CPU between runs (from any thread), interrupting the running task for it. */
    public void post(Runnable r) {
        posted.add(r);
        HostScheduler h = host;
        if (h != null) h.wake(service);
    }

    /** Runs what host threads posted; true if there was anything. */
    boolean runPosted() {
        boolean any = false;
        Runnable r;
        while ((r = posted.poll()) != null) {
            r.run();
            any = true;
        }
        return any;
    }

    boolean hasPosted() { return !posted.isEmpty(); }

    /** True once the first process has ended and no task is left (the kernel's run is over). */
    boolean finished() { return finished; }

    /** Waits until the kernel's run is over. */
    void awaitFinished() {
        boolean interrupted = false;
        while (!finished) {
            try {
                done.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    // ---------------------------------------------------------------- the kernel's CPU changing hands

    @Override
    public void taken() {
        if (!finished) housekeeping();
    }

    private long itimerNext = Long.MAX_VALUE;

    @Override
    public void given() {
        if (finished) return;
        housekeeping();
        if (kernel.finished()) {
            finished = true;
            HostScheduler h = host;
            h.retire(service);
            done.countDown();
            h.poke();
            return;
        }
        long next = Math.min(nextTimer(), itimerNext);
        synchronized (this) {
            if (next != armedAt) arm(next);
        }
    }

    /** Posted work, sleepers and interval timers that are due, and frames to recycle. */
    private void housekeeping() {
        runPosted();
        fireTimers(clock.monotonic());
        itimerNext = kernel.timers().fire();
        kernel.recycleFramesIfNeeded(kernel.cpu());
    }

    private synchronized long nextTimer() {
        Task t = timers.peek();
        return t == null ? Long.MAX_VALUE : t.deadline;
    }

    /** Gives the housekeeping entity its timeout: kernel-monotonic {@code at}, in the host scheduler's time. */
    private void arm(long at) {
        armedAt = at;
        HostScheduler h = host;
        if (h == null) return;
        h.setWakeAt(service, at == Long.MAX_VALUE ? Long.MAX_VALUE : at + (h.now() - clock.monotonic()));
    }

    /** The housekeeping entity: its work is done by {@link #taken} and {@link #given}; it then sleeps until its timeout. */
    private final class Housekeeping implements Schedulable {
        @Override
        public Outcome run(Slice slice) {
            if (finished) return Outcome.DONE;
            synchronized (Scheduler.this) {
                armedAt = Long.MAX_VALUE;   // its timeout, if it had one, is spent: given() arms the next
            }
            return Outcome.BLOCKED;
        }

        @Override
        public void preempt() { }
    }

    /** A task as the host scheduler runs it: a slice of it on the kernel's CPU. */
    private final class TaskRun implements Schedulable {
        private final Task task;

        TaskRun(Task task) { this.task = task; }

        @Override
        public Outcome run(Slice slice) { return kernel.worker().runSlice(task, slice); }

        @Override
        public void preempt() { kernel.worker().preempt(); }
    }
}
