package popek.sched;

import java.util.ArrayList;
import java.util.IdentityHashMap;

import popek.cgroup.Cgroup;
import popek.cgroup.CpuControl;

/**
 * The scheduling policy, without threads: Linux CFS's group scheduling on one run queue shared by every worker (as
 * Xen's credit2 shares one run queue between the CPUs of a socket). Each cgroup has a queue of its runnable children
 * ordered by virtual runtime; the next entity is found by taking the least-vruntime node from the root down. A run of
 * {@code d} ns adds {@code d * 100 / weight} to the entity's vruntime and to each of its groups' (a group's weight is
 * its cpu.weight), so siblings share by weight at every level. cpu.max is a runtime budget per period for each group
 * that has one; a group out of it leaves its parent's queue until its next period. Time is passed in by the caller
 * (the scheduler clock, or a test's). Not thread-safe: {@link HostScheduler} calls it under its lock.
 */
final class FairPolicy {
    /** The slice while others wait: see the package documentation for why 4 ms. */
    static final long SLICE = 4_000_000;
    /** The slice of an entity nothing waits for: cut to {@link #SLICE} as soon as something else becomes runnable. */
    static final long LONE_SLICE = 1_000_000_000;
    /** A woken entity preempts a running one whose vruntime is ahead of its own by more than this (CFS's 1 ms). */
    static final long WAKEUP_GRANULARITY = 1_000_000;
    /** A waking entity is placed at most this far behind its queue's least vruntime (CFS's half of 6 ms latency). */
    static final long SLEEPER_CREDIT = 3_000_000;

    private final GroupNode root;
    private final IdentityHashMap<Cgroup, GroupNode> groups = new IdentityHashMap<>();
    /** Groups out of quota with work queued: the next period's start wakes them. */
    private final ArrayList<GroupNode> waiting = new ArrayList<>();
    private final WakeTimers timers = new WakeTimers();
    /** The entities running now (each charged up to its {@code chargedUntil}). */
    private final ArrayList<Entity> running = new ArrayList<>();

    FairPolicy(Cgroup rootGroup) {
        root = new GroupNode(rootGroup, null);
        groups.put(rootGroup, root);
    }

    /** The scheduler's node for {@code c}, made (with its ancestors') on first use; {@code c} must be under the root. */
    GroupNode group(Cgroup c) {
        GroupNode g = groups.get(c);
        if (g != null) return g;
        if (c.parent() == null) throw new IllegalArgumentException(c + " is not in this scheduler's hierarchy");
        GroupNode p = group(c.parent());
        g = new GroupNode(c, p);
        g.vruntime = p.minVruntime;
        groups.put(c, g);
        return g;
    }

    // ---------------------------------------------------------------- becoming runnable

    /** Makes a new or blocked entity runnable; records a wake-up of a running one. True if it became runnable. */
    boolean wake(Entity e, long now) {
        switch (e.state) {
            case RUNNING -> {
                e.wakePending = true;
                return false;
            }
            case RUNNABLE, DONE -> {
                return false;
            }
            default -> { }
        }
        timers.remove(e);
        e.wakeAt = Long.MAX_VALUE;   // a timeout ends with the wake-up, whatever woke it
        for (int i = 0; i < running.size(); i++) charge(running.get(i), now);   // CFS's update_curr: minimums are current
        boolean fresh = e.state == Entity.State.NEW;
        bind(e);
        if (fresh) e.vruntime = e.parent.minVruntime;
        else place(e);
        e.state = Entity.State.RUNNABLE;
        e.wokenAt = now;
        e.wakeups++;
        enqueue(e, now, true);
        return true;
    }

    /** Puts the entity in the queue of the cgroup it is charged to now (it may have been moved). */
    private void bind(Entity e) {
        GroupNode g = group(e.cgroup);
        if (e.parent != g) {
            if (e.parent != null) e.vruntime = e.vruntime - e.parent.minVruntime + g.minVruntime;   // keep its lag
            e.setParent(g);
        }
    }

    /** A woken node gets at most {@link #SLEEPER_CREDIT} of credit for its sleep, so it cannot hoard the CPU later. */
    private static void place(Node n) {
        n.vruntime = Math.max(n.vruntime, n.parent.minVruntime - SLEEPER_CREDIT);
    }

    private void enqueue(Entity e, long now, boolean waking) {
        if (e.cpu != null) {
            e.cpu.runnable.add(e);
            if (e.cpu.holder != null) return;   // it waits for its CPU, off the queues
        }
        e.parent.queue.add(e);
        refresh(e.parent, now, waking);
    }

    /**
     * Keeps a group on its parent's queue exactly while it has something queued and quota left, walking up while
     * that changes; counts a throttle when a group with work has run out of its quota.
     */
    private void refresh(GroupNode g, long now, boolean waking) {
        while (g.parent != null) {
            boolean hasWork = !g.queue.isEmpty();
            if (hasWork && g.periodStart >= 0) {
                if (g.runtimeLeft <= 0 && !g.throttled) {
                    g.throttled = true;
                    g.throttledAt = now;
                    g.cpu.nrThrottled.incrementAndGet();
                }
                if (g.outOfQuota() && g.waitingIndex < 0) {
                    g.waitingIndex = waiting.size();
                    waiting.add(g);
                }
            }
            boolean want = hasWork && !g.outOfQuota();
            if (want == g.queued()) return;
            GroupNode p = g.parent;
            if (want) {
                if (waking && g.running == 0) place(g);
                p.queue.add(g);
            } else {
                p.queue.remove(g);
            }
            g = p;
        }
    }

    // ---------------------------------------------------------------- choosing

    /** True if anything is queued (waiting for a worker). */
    boolean hasQueued() { return !root.queue.isEmpty(); }

    /** Takes the next entity to run (least vruntime, level by level from the root), or null if none may run. */
    Entity pick(long now) {
        Node n = root.queue.peek();
        if (n == null) return null;
        while (n instanceof GroupNode g) n = g.queue.peek();
        Entity e = (Entity) n;
        for (Node x = e; x.parent != null; x = x.parent) {
            if (x.vruntime > x.parent.minVruntime) x.parent.minVruntime = x.vruntime;
        }
        e.parent.queue.remove(e);
        refresh(e.parent, now, false);
        SharedCpu cpu = e.cpu;
        if (cpu != null) {
            cpu.runnable.remove(e);
            cpu.holder = e;
            for (int i = 0; i < cpu.runnable.size(); i++) {   // its siblings wait for the CPU, off the queues
                Entity o = cpu.runnable.get(i);
                o.parent.queue.remove(o);
                refresh(o.parent, now, false);
            }
        }
        e.state = Entity.State.RUNNING;
        e.sliceStart = now;
        e.chargedUntil = now;
        running.add(e);
        for (GroupNode g = e.parent; g != null; g = g.parent) g.running++;
        return e;
    }

    /**
     * The slice for {@code e}, just picked: {@link #SLICE} if anything else waits for a worker or for its CPU, else
     * {@link #LONE_SLICE}; never more than the quota its groups have left, which it reserves until it returns.
     */
    long grant(Entity e, long now) {
        boolean contended = hasQueued() || (e.cpu != null && !e.cpu.runnable.isEmpty());
        long s = contended ? SLICE : LONE_SLICE;
        for (GroupNode g = e.parent; g != null; g = g.parent) {
            advance(g, now);
            if (g.periodStart >= 0) {
                s = Math.min(s, g.runtimeLeft - g.reserved);
                g.activeInPeriod = true;
            }
        }
        s = Math.max(s, 1);
        e.granted = s;
        for (GroupNode g = e.parent; g != null; g = g.parent) g.reserved += s;
        for (GroupNode g = e.parent; g != null; g = g.parent) refresh(g, now, false);
        return s;
    }

    // ---------------------------------------------------------------- after a run

    /**
     * Charges {@code e}'s run of {@code ran} ns (of which {@code system} were the kernel's) at every level, gives back
     * its CPU, and queues, blocks or retires it as {@code how} says; {@code wakeAt}: a blocked entity's timeout.
     */
    void put(Entity e, Schedulable.Outcome how, long ran, long system, long wakeAt, long now) {
        e.runNanos += ran;
        e.slices++;
        running.remove(e);
        charge(e, e.sliceStart + ran);
        for (GroupNode g = e.parent; g != null; g = g.parent) {
            g.running--;
            g.reserved -= e.granted;
            g.usageNanos += ran;
            g.systemNanos += system;
            g.cpu.usageUsec.set(g.usageNanos / 1000);
            g.cpu.systemUsec.set(g.systemNanos / 1000);
            g.cpu.userUsec.set((g.usageNanos - g.systemNanos) / 1000);
            advance(g, now);
            if (g.periodStart >= 0) {
                g.runtimeLeft -= ran;
                g.activeInPeriod = true;
            }
        }
        e.granted = 0;
        SharedCpu cpu = e.cpu;
        if (cpu != null) {
            cpu.holder = null;
            for (int i = 0; i < cpu.runnable.size(); i++) {
                Entity o = cpu.runnable.get(i);
                o.parent.queue.add(o);
                refresh(o.parent, now, false);
            }
        }
        boolean pending = e.wakePending;
        e.wakePending = false;
        switch (how) {
            case PREEMPTED, YIELDED -> {
                if (how == Schedulable.Outcome.YIELDED) e.vruntime += SLICE;   // behind its peers, as EEVDF's yield
                else e.preemptions++;
                e.state = Entity.State.RUNNABLE;
                bind(e);
                enqueue(e, now, false);
            }
            case BLOCKED -> {
                e.state = Entity.State.BLOCKED;
                if (wakeAt != Long.MAX_VALUE) e.wakeAt = wakeAt;   // else the one set while it ran, if any
                if (pending) wake(e, now);
                else if (e.wakeAt != Long.MAX_VALUE) timers.add(e);
            }
            case DONE -> e.state = Entity.State.DONE;
        }
        for (GroupNode g = e.parent; g != null; g = g.parent) refresh(g, now, false);
    }

    /**
     * Adds to a running entity's vruntime, and its groups', what it ran since it was last charged, up to {@code upTo};
     * the queues' minimums follow.
     */
    private static void charge(Entity e, long upTo) {
        long d = upTo - e.chargedUntil;
        if (d <= 0) return;
        e.chargedUntil = upTo;
        e.vruntime += d * CpuControl.DEFAULT_WEIGHT / e.weight();
        for (GroupNode g = e.parent; g.parent != null; g = g.parent) {
            g.vruntime += d * CpuControl.DEFAULT_WEIGHT / g.weight();
            if (g.queued()) g.parent.queue.update(g);
        }
        for (Node x = e; x.parent != null; x = x.parent) {
            Node first = x.parent.queue.peek();
            long m = first == null ? x.vruntime : Math.min(x.vruntime, first.vruntime);
            if (m > x.parent.minVruntime) x.parent.minVruntime = m;
        }
    }

    /** Takes a runnable entity back off the queues (its owner found it cannot run after all). */
    void dequeue(Entity e, long now) {
        if (e.state != Entity.State.RUNNABLE) {
            e.wakePending = false;
            return;
        }
        if (e.cpu != null) e.cpu.runnable.remove(e);
        if (e.queued()) {
            e.parent.queue.remove(e);
            refresh(e.parent, now, false);
        }
        e.state = Entity.State.BLOCKED;
    }

    /** A blocked entity's timeout moves (its owner's next timer changed). */
    void setWakeAt(Entity e, long at) {
        e.wakeAt = at;
        if (e.state != Entity.State.BLOCKED) return;
        if (at == Long.MAX_VALUE) timers.remove(e);
        else timers.add(e);
    }

    /** Retires an entity that is not running (its owner is gone). */
    void retire(Entity e, long now) {
        dequeue(e, now);
        timers.remove(e);
        e.state = Entity.State.DONE;
    }

    // ---------------------------------------------------------------- time

    /** The next time something is due: a blocked entity's timeout or a waiting group's next period. */
    long nextEvent() {
        long t = timers.next();
        for (int i = 0; i < waiting.size(); i++) {
            GroupNode g = waiting.get(i);
            if (g.periodStart >= 0) t = Math.min(t, g.periodStart + g.periodNanos());
        }
        return t;
    }

    /** Wakes the entities whose timeout has come (into {@code woken}, which it returns) and refills groups' quotas. */
    int fireDue(long now, Entity[] woken) {
        for (int i = waiting.size() - 1; i >= 0; i--) {
            GroupNode g = waiting.get(i);
            advance(g, now);
            refresh(g, now, true);
            if (!g.outOfQuota() || g.queue.isEmpty()) {
                GroupNode last = waiting.removeLast();
                if (last != g) {
                    waiting.set(i, last);
                    last.waitingIndex = i;
                }
                g.waitingIndex = -1;
            }
        }
        int n = 0;
        Entity e;
        while (n < woken.length && (e = timers.pollDue(now)) != null) {
            if (wake(e, now)) woken[n++] = e;
        }
        return n;
    }

    /**
     * Brings a group's cpu.max period up to {@code now}: starts the first, and at each end counts the period (if the
     * group was busy in it), refills the quota (a debt from an overrun is paid first, unused time is not kept), and
     * ends a throttle once there is quota again.
     */
    private static void advance(GroupNode g, long now) {
        long quota = g.quotaNanos();
        if (quota < 0) {
            if (g.periodStart >= 0) {
                if (g.throttled) endThrottle(g, now);
                g.periodStart = -1;
            }
            return;
        }
        long period = g.periodNanos();
        if (g.periodStart < 0) {
            g.periodStart = now;
            g.runtimeLeft = quota;
            g.activeInPeriod = false;
            return;
        }
        if (now < g.periodStart + period) return;
        long end = g.periodStart + period;
        if (g.activeInPeriod || g.throttled) g.cpu.nrPeriods.incrementAndGet();
        long k = (now - g.periodStart) / period;
        g.periodStart += k * period;
        g.runtimeLeft = Math.min(quota, Math.min(g.runtimeLeft, 0) + k * quota);
        g.activeInPeriod = false;
        if (g.throttled && g.runtimeLeft > 0) endThrottle(g, end);
    }

    private static void endThrottle(GroupNode g, long at) {
        g.throttled = false;
        g.throttledNanos += Math.max(0, at - g.throttledAt);
        g.cpu.throttledUsec.set(g.throttledNanos / 1000);
    }

    // ---------------------------------------------------------------- preemption

    /**
     * Which of the running entities {@code woken} should preempt, or null: its CPU's holder if it shares one (always,
     * for a kernel's urgent housekeeping); else the running entity furthest ahead of it in vruntime, compared where
     * their paths from the root meet, if by more than the wake-up granularity (counting what each has run and not
     * yet been charged for).
     */
    Entity victim(Entity woken, Entity[] running, int n, long now) {
        if (woken.state != Entity.State.RUNNABLE) return null;
        for (GroupNode g = woken.parent; g != null; g = g.parent) if (g.outOfQuota()) return null;
        if (woken.cpu != null && woken.cpu.holder != null) {
            Entity h = woken.cpu.holder;
            if (woken.urgent) return h;
            return lead(woken, h, now) > 0 ? h : null;
        }
        Entity best = null;
        long bestLead = 0;
        for (int i = 0; i < n; i++) {
            Entity r = running[i];
            if (r == null) continue;
            long l = lead(woken, r, now);
            if (l > bestLead) {
                bestLead = l;
                best = r;
            }
        }
        return best;
    }

    /** How far running {@code r} is ahead of {@code w} beyond the granularity, where their paths meet. */
    private static long lead(Entity w, Entity r, long now) {
        long since = r.chargedUntil;
        Node a = w, b = r;
        while (a.depth > b.depth) a = a.parent;
        while (b.depth > a.depth) b = b.parent;
        while (a.parent != b.parent) {
            a = a.parent;
            b = b.parent;
        }
        long ahead = b.vruntime + Math.max(0, now - since) * CpuControl.DEFAULT_WEIGHT / b.weight();
        return ahead - a.vruntime - WAKEUP_GRANULARITY * CpuControl.DEFAULT_WEIGHT / a.weight();
    }
}
