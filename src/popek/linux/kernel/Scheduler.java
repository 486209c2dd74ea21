package popek.linux.kernel;

import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Which task runs next on a kernel's CPU: a round-robin run queue, the sleepers with a deadline, and work posted by
 * host threads (terminal input, a host timer). A task runs for at most {@link #SLICE_NANOS} while another is
 * runnable; one that blocks costs nothing until woken. (The host-wide scheduler that shares worker threads between
 * containers and VMs by weight replaces this with part 2; the interface to the worker stays: pick, wake, timers.)
 */
public final class Scheduler {
    /** A time slice: short enough for an interactive shell beside a busy loop, long enough to amortise a switch. */
    public static final long SLICE_NANOS = 10_000_000;

    private final ArrayDeque<Task> runQueue = new ArrayDeque<>();
    private final PriorityQueue<Task> timers = new PriorityQueue<>((a, b) -> Long.compare(a.deadline, b.deadline));
    private final ConcurrentLinkedQueue<Runnable> posted = new ConcurrentLinkedQueue<>();
    private final Clock clock;
    private volatile Thread worker;
    private volatile Runnable kick = () -> { };

    Scheduler(Clock clock) { this.clock = clock; }

    /** The worker thread and how to interrupt its CPU (a stop of the engine), set when the worker starts. */
    void attach(Thread worker, Runnable kick) {
        this.worker = worker;
        this.kick = kick;
    }

    /** Makes a task that was sleeping (or is new) runnable. */
    synchronized void wake(Task t) {
        if (t.runState == Task.State.SLEEPING) {
            t.stopWaiting();
            t.runState = Task.State.RUNNABLE;
            runQueue.add(t);
        } else if (t.runState == Task.State.NEW || t.runState == Task.State.STOPPED) {
            t.runState = Task.State.RUNNABLE;
            runQueue.add(t);
        }
    }

    /** A task that was preempted (or yielded) goes to the back of the queue. */
    synchronized void requeue(Task t) {
        t.runState = Task.State.RUNNABLE;
        runQueue.add(t);
    }

    synchronized Task next() { return runQueue.poll(); }

    /** Takes a task off the run queue (it went back to running, or died). */
    synchronized void dequeue(Task t) { runQueue.remove(t); }

    synchronized boolean othersRunnable() { return !runQueue.isEmpty(); }

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

    /** Runs {@code r} on the worker thread between runs (from any thread), interrupting the running task for it. */
    public void post(Runnable r) {
        posted.add(r);
        kick.run();
        Thread w = worker;
        if (w != null) LockSupport.unpark(w);
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

    /** Parks the worker until {@code deadline} (monotonic ns) or until something is posted. */
    void idle(long deadline) {
        if (!posted.isEmpty()) return;
        long wait = deadline == Long.MAX_VALUE ? 100_000_000 : deadline - clock.monotonic();
        if (wait > 0) LockSupport.parkNanos(this, Math.min(wait, 100_000_000));
    }
}
