package popek.sched;

import java.util.ArrayList;
import java.util.List;

import popek.cgroup.Cgroup;

/**
 * Drives {@link FairPolicy} with synthetic entities on simulated workers and a simulated clock, event by event, as
 * {@link HostScheduler} drives it with threads: deterministic, so tests can hold it to exact shares.
 */
final class PolicySimulation {
    /** A synthetic entity: runs {@code burst} ns (MAX_VALUE: a hog) then sleeps {@code sleep} ns, for ever. */
    static final class Task implements Schedulable {
        final long burst, sleep;
        final Entity entity;
        long left;
        /** Wake-up latencies: from the timer's wake to the start of the next run. */
        final List<Long> latencies = new ArrayList<>();
        long wokenAt = -1;

        Task(String name, Cgroup group, long burst, long sleep, SharedCpu cpu) {
            this.burst = burst;
            this.sleep = sleep;
            this.left = burst;
            this.entity = new Entity(this, name, group, cpu, false);
        }

        @Override
        public Outcome run(Slice slice) { throw new UnsupportedOperationException("simulated"); }

        @Override
        public void preempt() { }

        long ran() { return entity.runNanos; }
    }

    private final FairPolicy policy;
    private final int workers;
    private final Task[] running;
    private final long[] since, until;
    private final Entity[] runningEntities;
    private final List<Task> tasks = new ArrayList<>();
    long now;
    /** Whether a woken entity may preempt a running one (off: to show what preemption buys). */
    boolean wakeupPreemption = true;
    int preemptionsByWakeup;
    /** Called with the running tasks after every event, to check an invariant. */
    java.util.function.Consumer<Task[]> check = r -> { };

    PolicySimulation(Cgroup root, int workers) {
        this.policy = new FairPolicy(root);
        this.workers = workers;
        this.running = new Task[workers];
        this.since = new long[workers];
        this.until = new long[workers];
        this.runningEntities = new Entity[workers];
    }

    Task add(String name, Cgroup group, long burst, long sleep) { return add(name, group, burst, sleep, null); }

    Task add(String name, Cgroup group, long burst, long sleep, SharedCpu cpu) {
        Task t = new Task(name, group, burst, sleep, cpu);
        tasks.add(t);
        policy.wake(t.entity, now);
        cutLoneSlices();
        return t;
    }

    /** Runs the simulation until {@code end}, then ends the slices running then (their time is charged). */
    void runUntil(long end) {
        advanceTo(end);
        for (int w = 0; w < workers; w++) if (running[w] != null) stop(w, true);
    }

    /** Runs the simulation until {@code end}, leaving the slices running then to go on. */
    void advanceTo(long end) {
        Entity[] woken = new Entity[64];
        while (now < end) {
            for (int w = 0; w < workers; w++) if (running[w] == null) start(w);
            long next = Math.min(end, policy.nextEvent());
            for (int w = 0; w < workers; w++) if (running[w] != null) next = Math.min(next, until[w]);
            now = Math.max(now, next);
            for (int w = 0; w < workers; w++) if (running[w] != null && until[w] <= now) stop(w, false);
            int n = policy.fireDue(now, woken);
            for (int i = 0; i < n; i++) {
                Task t = (Task) woken[i].work;
                t.wokenAt = now;
                t.left = t.burst;
                if (!wakeupPreemption) continue;
                boolean idle = false;
                for (int w = 0; w < workers; w++) if (running[w] == null) idle = true;
                if (idle) continue;
                Entity v = policy.victim(woken[i], runningEntities, workers, now);
                if (v != null) {
                    preemptionsByWakeup++;
                    for (int w = 0; w < workers; w++) if (runningEntities[w] == v) stop(w, true);
                }
            }
            cutLoneSlices();
            check.accept(running);
        }
    }

    /** As HostScheduler: once anything waits for a worker, a lone slice ends one slice after it began. */
    private void cutLoneSlices() {
        if (!policy.hasQueued()) return;
        for (int w = 0; w < workers; w++) {
            if (running[w] != null) until[w] = Math.min(until[w], Math.max(now, since[w] + FairPolicy.SLICE));
        }
    }

    private void start(int w) {
        Entity e = policy.pick(now);
        if (e == null) return;
        Task t = (Task) e.work;
        long slice = policy.grant(e, now);
        if (t.wokenAt >= 0) {
            t.latencies.add(now - t.wokenAt);
            t.wokenAt = -1;
        }
        running[w] = t;
        runningEntities[w] = e;
        since[w] = now;
        until[w] = now + Math.min(slice, t.left);
    }

    private void stop(int w, boolean preempted) {
        Task t = running[w];
        long ran = now - since[w];
        running[w] = null;
        runningEntities[w] = null;
        if (t.left != Long.MAX_VALUE) t.left -= ran;
        if (t.left <= 0 && !preempted) {
            policy.put(t.entity, Schedulable.Outcome.BLOCKED, ran, 0, now + t.sleep, now);
        } else {
            policy.put(t.entity, Schedulable.Outcome.PREEMPTED, ran, 0, Long.MAX_VALUE, now);
        }
    }
}
