package popek.sched;

import java.util.ArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import popek.cgroup.Cgroup;

/**
 * The host scheduler: a pool of worker threads running every container task and VM vCPU by {@link FairPolicy}, and
 * one timer thread that ends slices (through each entity's {@link Schedulable#preempt}, repeated until the run has
 * returned, since an engine loses a stop that lands between two runs), wakes blocked entities whose timeout came, and
 * starts cpu.max periods. A caller may lend its own thread as a worker ({@link #runHere}): that is how a lone
 * container or VM runs on the thread that started it. See the package documentation for the policy.
 */
public final class HostScheduler implements AutoCloseable {
    /** A preemption not yet acknowledged (the run has not returned) is asked again this often. */
    private static final long REPREEMPT_NANOS = 200_000;
    /** POPEK_SCHED_TRACE=1: one line per slice on stderr (entity, cgroup, how it ended, time run, slice, vruntime). */
    private static final boolean TRACE = System.getenv("POPEK_SCHED_TRACE") != null;

    /** A worker thread: what it runs now and since when. */
    private static final class Worker {
        final Slice slice = new Slice();
        Thread thread;
        Entity running;
        boolean idle;
        boolean preemptAsked;
        long askedAt;
        BooleanSupplier until;
    }

    private final Object lock = new Object();
    private final FairPolicy policy;
    private final Cgroup root;
    private final ArrayList<Worker> workers = new ArrayList<>();
    private final ArrayList<Thread> pool = new ArrayList<>();
    private final Thread timer;
    private final SchedStats stats = new SchedStats();
    private Entity[] running = new Entity[4];
    private final Entity[] woken = new Entity[64];
    /** The time the timer thread sleeps until (it is unparked when something needs it sooner). Under the lock. */
    private long timerParkedUntil = Long.MAX_VALUE;
    private volatile boolean closed;

    /** A scheduler over {@code root}'s hierarchy with {@code threads} worker threads of its own (0: only {@link #runHere}). */
    public HostScheduler(int threads, Cgroup root) {
        if (threads < 0) throw new IllegalArgumentException("threads " + threads);
        this.root = root;
        this.policy = new FairPolicy(root);
        this.timer = Thread.ofPlatform().name("popek-sched-timer").daemon().unstarted(this::timerLoop);
        timer.start();
        for (int i = 0; i < threads; i++) {
            Worker w = new Worker();
            Thread t = Thread.ofPlatform().name("popek-worker-" + i).daemon().unstarted(() -> work(w));
            w.thread = t;
            synchronized (lock) {
                workers.add(w);
            }
            pool.add(t);
            t.start();
        }
    }

    /** The hierarchy's root. */
    public Cgroup root() { return root; }

    /** The scheduler clock (ns): the host's monotonic clock. */
    public long now() { return System.nanoTime(); }

    /** Counters of the scheduler's own work (switches, the time they took). */
    public SchedStats stats() { return stats; }

    // ---------------------------------------------------------------- what owners call (any thread)

    /**
     * Makes {@code e} runnable (new, or blocked), which may preempt a running entity; on a running one, makes it
     * runnable again if its run returns BLOCKED. A kernel's urgent housekeeping preempts its CPU's holder.
     */
    public void wake(Entity e) {
        synchronized (lock) {
            long now = now();
            boolean became = policy.wake(e, now);
            if (became || (e.urgent && e.state == Entity.State.RUNNABLE)) enqueued(e, now);
        }
    }

    /** Takes a runnable entity back (it cannot run after all), or forgets a wake-up of a running one. */
    public void dequeue(Entity e) {
        synchronized (lock) {
            policy.dequeue(e, now());
        }
    }

    /** Moves a blocked entity's timeout to {@code at} (scheduler clock; MAX_VALUE: none). */
    public void setWakeAt(Entity e, long at) {
        synchronized (lock) {
            policy.setWakeAt(e, at);
            timerNeededBy(at);
        }
    }

    /** Retires an entity that is not running (its owner is gone without running it again). */
    public void retire(Entity e) {
        synchronized (lock) {
            if (e.state != Entity.State.RUNNING) policy.retire(e, now());
        }
    }

    /** Wakes the workers lent by {@link #runHere} so they look at their condition again. Any thread. */
    public void poke() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /**
     * Lends the calling thread as a worker until {@code until} holds (it is looked at between slices, and after
     * {@link #poke}). With no threads of its own, the scheduler then runs everything on this thread.
     */
    public void runHere(BooleanSupplier until) {
        Worker w = new Worker();
        w.thread = Thread.currentThread();
        w.until = until;
        synchronized (lock) {
            workers.add(w);
        }
        try {
            work(w);
        } finally {
            synchronized (lock) {
                workers.remove(w);
            }
        }
    }

    // ---------------------------------------------------------------- the workers

    private void work(Worker w) {
        Slice s = w.slice;
        Entity e = null;
        Schedulable.Outcome how = null;
        long ranUntil = 0;
        for (;;) {
            long waited = 0;
            synchronized (lock) {
                long now = now();
                if (e != null) {
                    w.running = null;
                    if (TRACE) System.err.printf("sched %s %s ran=%d granted=%d end-start=%d v=%d%n", e.name + "@" + e.cgroup, how, ranUntil - s.start, e.granted, s.end - s.start, e.vruntime);
                    policy.put(e, how, ranUntil - s.start, s.systemNanos, s.wakeAt, now);
                    if (how != Schedulable.Outcome.DONE && e.state == Entity.State.RUNNABLE) enqueued(e, now);
                    e = null;
                }
                for (;;) {
                    if (closed || (w.until != null && w.until.getAsBoolean())) return;
                    e = policy.pick(now);
                    if (e != null) break;
                    w.idle = true;
                    try {
                        lock.wait();
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                    w.idle = false;
                    long after = now();
                    waited += after - now;
                    now = after;
                }
                long slice = policy.grant(e, now);
                s.reset(now, now + slice);
                w.running = e;
                w.preemptAsked = false;
                timerNeededBy(s.end);
            }
            if (ranUntil != 0) stats.switched(now() - ranUntil - waited);
            SharedCpu cpu = e.cpu;
            if (cpu != null && cpu.owner != null) cpu.owner.taken();
            try {
                how = e.work.run(s);
            } catch (RuntimeException | Error t) {
                System.err.println("popek: internal error in the scheduler's run of " + e.name + ": " + t);
                if (System.getenv("POPEK_DEBUG") != null) t.printStackTrace();
                how = Schedulable.Outcome.DONE;
            } finally {
                if (cpu != null && cpu.owner != null) cpu.owner.given();
            }
            ranUntil = now();
        }
    }

    /** {@code e} was queued at {@code now}: an idle worker takes it, or it may preempt a running entity. */
    private void enqueued(Entity e, long now) {
        boolean idle = false;
        int n = 0;
        if (running.length < workers.size()) running = new Entity[workers.size() * 2];
        for (int i = 0; i < workers.size(); i++) {
            Worker w = workers.get(i);
            if (w.idle) idle = true;
            running[n++] = w.running;
        }
        if (idle && policy.hasQueued()) lock.notifyAll();
        else {
            Entity v = policy.victim(e, running, n, now);
            if (v != null) {
                stats.wakeupPreemptions++;
                for (int i = 0; i < workers.size(); i++) if (workers.get(i).running == v) preempt(workers.get(i), now);
            }
        }
        for (int i = 0; i < n; i++) running[i] = null;
        cutLoneSlices(e, now);
    }

    /** Something waits now: a slice given as lone ends one slice after it began (its CPU's holder's too). */
    private void cutLoneSlices(Entity e, long now) {
        boolean queued = policy.hasQueued();
        for (int i = 0; i < workers.size(); i++) {
            Worker w = workers.get(i);
            if (w.running == null) continue;
            if (!queued && (e == null || e.cpu == null || w.running.cpu != e.cpu)) continue;
            long cut = w.slice.start + FairPolicy.SLICE;
            if (w.slice.end > cut) {
                w.slice.end = Math.max(now, cut);
                timerNeededBy(w.slice.end);
            }
        }
    }

    private void preempt(Worker w, long now) {
        if (w.preemptAsked) return;
        w.preemptAsked = true;
        w.askedAt = now;
        w.running.work.preempt();
        timerNeededBy(now + REPREEMPT_NANOS);
    }

    // ---------------------------------------------------------------- the timer thread

    private void timerNeededBy(long at) {
        if (at < timerParkedUntil) {
            timerParkedUntil = at;
            LockSupport.unpark(timer);
        }
    }

    private void timerLoop() {
        while (!closed) {
            long next, now;
            synchronized (lock) {
                now = now();
                int n = policy.fireDue(now, woken);
                for (int i = 0; i < n; i++) {
                    enqueued(woken[i], now);
                    woken[i] = null;
                }
                if (policy.hasQueued()) {   // a group's new period may have queued it again
                    boolean idle = false;
                    for (int i = 0; i < workers.size(); i++) idle |= workers.get(i).idle;
                    if (idle) lock.notifyAll();
                    cutLoneSlices(null, now);
                }
                next = policy.nextEvent();
                for (int i = 0; i < workers.size(); i++) {
                    Worker w = workers.get(i);
                    if (w.running == null) continue;
                    if (!w.preemptAsked) {
                        if (now >= w.slice.end) {
                            preempt(w, now);
                            stats.sliceEnds++;
                        } else {
                            next = Math.min(next, w.slice.end);
                        }
                    }
                    if (w.preemptAsked) {
                        if (now - w.askedAt >= REPREEMPT_NANOS) {
                            w.running.work.preempt();
                            w.askedAt = now;
                            stats.repeatedPreemptions++;
                        }
                        next = Math.min(next, w.askedAt + REPREEMPT_NANOS);
                    }
                }
                timerParkedUntil = next;
            }
            if (next == Long.MAX_VALUE) LockSupport.park(this);
            else if (next > now) LockSupport.parkNanos(this, next - now);
        }
    }

    /** Stops the workers and the timer (entities still queued are dropped). */
    @Override
    public void close() {
        closed = true;
        synchronized (lock) {
            lock.notifyAll();
        }
        LockSupport.unpark(timer);
        for (Thread t : pool) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
