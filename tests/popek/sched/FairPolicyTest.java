package popek.sched;

import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;

import popek.cgroup.Cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The policy on synthetic tasks and a simulated clock: shares by weight, cpu.max, nested groups, wake-up preemption. */
class FairPolicyTest {
    private static final long MS = 1_000_000, S = 1_000_000_000L, HOG = Long.MAX_VALUE;

    private static Cgroup group(Cgroup parent, String name, int weight) {
        Cgroup c = parent.create(name);
        c.cpu().setWeight(weight);
        return c;
    }

    @Test
    void threeGroupsShareByWeightOneToTwoToFour() {
        Cgroup root = Cgroup.newRoot();
        PolicySimulation sim = new PolicySimulation(root, 1);
        var a = sim.add("a", group(root, "a", 100), HOG, 0);
        var b = sim.add("b", group(root, "b", 200), HOG, 0);
        var c = sim.add("c", group(root, "c", 400), HOG, 0);
        sim.runUntil(10 * S);
        double total = a.ran() + b.ran() + c.ran();
        assertEquals(10 * S, (long) total, "one worker is busy all the time");
        assertEquals(1 / 7.0, a.ran() / total, 0.002);
        assertEquals(2 / 7.0, b.ran() / total, 0.002);
        assertEquals(4 / 7.0, c.ran() / total, 0.002);
        // cpu.stat's usage_usec is charged at every level, the root's included
        assertEquals(a.ran() / 1000, root.child("a").cpu().usageUsec.get());
        assertEquals((long) total / 1000, root.cpu().usageUsec.get());
    }

    @Test
    void onTwoWorkersAGroupOfOneTaskIsCappedAtOneWorker() {
        // Weighted max-min fairness: 400 would be 8/7 of a worker, more than its one task can use; the rest is
        // shared 1:2 by the others. Each group holding two tasks, the 1:2:4 shares are feasible again.
        Cgroup root = Cgroup.newRoot();
        PolicySimulation sim = new PolicySimulation(root, 2);
        var a = sim.add("a", group(root, "a", 100), HOG, 0);
        var b = sim.add("b", group(root, "b", 200), HOG, 0);
        var c = sim.add("c", group(root, "c", 400), HOG, 0);
        sim.runUntil(10 * S);
        assertEquals(10 * S, c.ran(), 2 * FairPolicy.SLICE);
        assertEquals(2.0, (double) b.ran() / a.ran(), 0.05);

        Cgroup root2 = Cgroup.newRoot();
        PolicySimulation two = new PolicySimulation(root2, 2);
        long[] ran = new long[3];
        int[] weights = {100, 200, 400};
        List<List<PolicySimulation.Task>> byGroup = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Cgroup g = group(root2, "g" + i, weights[i]);
            byGroup.add(List.of(two.add("g" + i + "a", g, HOG, 0), two.add("g" + i + "b", g, HOG, 0)));
        }
        two.runUntil(10 * S);
        for (int i = 0; i < 3; i++) for (var t : byGroup.get(i)) ran[i] += t.ran();
        double total = ran[0] + ran[1] + ran[2];
        assertEquals(1 / 7.0, ran[0] / total, 0.01);
        assertEquals(2 / 7.0, ran[1] / total, 0.01);
        assertEquals(4 / 7.0, ran[2] / total, 0.01);
    }

    @Test
    void cpuMaxHoldsAHogToTwentyPercentAndCountsThrottling() {
        Cgroup root = Cgroup.newRoot();
        Cgroup limited = group(root, "limited", 100);
        limited.cpu().setMax(20_000, 100_000);
        PolicySimulation sim = new PolicySimulation(root, 1);
        var hog = sim.add("hog", limited, HOG, 0);
        sim.runUntil(10 * S);
        assertEquals(0.20, hog.ran() / (double) (10 * S), 0.001);
        var stat = limited.cpu();
        assertEquals(100, stat.nrPeriods.get(), 1);
        assertEquals(100, stat.nrThrottled.get(), 1);
        assertEquals(8_000_000, stat.throttledUsec.get(), 100_000);   // 80 ms of each 100 ms period
        assertEquals(hog.ran() / 1000, stat.usageUsec.get());
    }

    @Test
    void cpuMaxLeavesTheRestToAnUnlimitedNeighbour() {
        Cgroup root = Cgroup.newRoot();
        Cgroup limited = group(root, "limited", 10_000);   // however heavy its weight
        limited.cpu().setMax(20_000, 100_000);
        PolicySimulation sim = new PolicySimulation(root, 1);
        var hog = sim.add("hog", limited, HOG, 0);
        var other = sim.add("other", group(root, "other", 1), HOG, 0);
        sim.runUntil(10 * S);
        assertEquals(0.20, hog.ran() / (double) (10 * S), 0.001);
        assertEquals(0.80, other.ran() / (double) (10 * S), 0.001);
    }

    @Test
    void cpuMaxOnTwoWorkersBoundsAGroupOfTwoTasksTogether() {
        Cgroup root = Cgroup.newRoot();
        Cgroup limited = group(root, "limited", 100);
        limited.cpu().setMax(50_000, 100_000);   // half of one worker for the two of them
        PolicySimulation sim = new PolicySimulation(root, 2);
        var x = sim.add("x", limited, HOG, 0);
        var y = sim.add("y", limited, HOG, 0);
        sim.runUntil(10 * S);
        assertEquals(5 * S, x.ran() + y.ran(), 5 * S / 500);
    }

    @Test
    void nestedGroupsShareAtEachLevel() {
        // a (100) holds a1 (100) and a2 (300); b (100) beside a: b gets half, a1 an eighth, a2 three eighths.
        Cgroup root = Cgroup.newRoot();
        Cgroup a = group(root, "a", 100);
        PolicySimulation sim = new PolicySimulation(root, 1);
        var a1 = sim.add("a1", group(a, "a1", 100), HOG, 0);
        var a2 = sim.add("a2", group(a, "a2", 300), HOG, 0);
        var b = sim.add("b", group(root, "b", 100), HOG, 0);
        var b2 = sim.add("b2", root.child("b"), HOG, 0);   // two tasks in b still make half between them
        sim.runUntil(10 * S);
        double total = 10 * S;
        assertEquals(0.125, a1.ran() / total, 0.002);
        assertEquals(0.375, a2.ran() / total, 0.002);
        assertEquals(0.5, (b.ran() + b2.ran()) / total, 0.002);
        assertEquals(b.ran(), b2.ran(), 2 * FairPolicy.SLICE);
        assertEquals((a1.ran() + a2.ran()) / 1000, a.cpu().usageUsec.get(), 1);
    }

    @Test
    void aWokenInteractiveTaskPreemptsHogsAtOnce() {
        Cgroup root = Cgroup.newRoot();
        PolicySimulation sim = new PolicySimulation(root, 1);
        for (int i = 0; i < 4; i++) sim.add("hog" + i, group(root, "hog" + i, 100), HOG, 0);
        var shell = sim.add("shell", group(root, "shell", 100), 100_000, 10 * MS);   // 0.1 ms of work every 10 ms
        sim.runUntil(5 * S);
        List<Long> lat = shell.latencies;
        assertTrue(lat.size() > 400, "it woke " + lat.size() + " times");
        Collections.sort(lat);
        assertEquals(0, lat.get(lat.size() * 99 / 100), "p99 wake-up latency: it runs the moment it wakes");
        assertTrue(sim.preemptionsByWakeup > 400);

        // Without wake-up preemption it waits for the running hog's slice to end.
        Cgroup root2 = Cgroup.newRoot();
        PolicySimulation off = new PolicySimulation(root2, 1);
        off.wakeupPreemption = false;
        for (int i = 0; i < 4; i++) off.add("hog" + i, group(root2, "hog" + i, 100), HOG, 0);
        var late = off.add("shell", group(root2, "shell", 100), 100_000, 10 * MS);
        off.runUntil(5 * S);
        Collections.sort(late.latencies);
        assertTrue(late.latencies.get(late.latencies.size() / 2) > MS, "p50 without preemption " + late.latencies.get(late.latencies.size() / 2));
    }

    @Test
    void aGroupThatAppearsDuringALongSliceIsPlacedWhereTheRunnerIsNow() {
        // A hog runs alone (a lone slice); a second container appears half a second later, mid-slice. Its group is
        // placed at the runner's vruntime as of now, not as of the runner's last charge (0), so from then on they
        // share half and half, rather than the newcomer having the next half second to itself.
        Cgroup root = Cgroup.newRoot();
        PolicySimulation sim = new PolicySimulation(root, 1);
        var a = sim.add("a", group(root, "a", 100), HOG, 0);
        sim.advanceTo(S / 2);
        var b = sim.add("b", group(root, "b", 100), HOG, 0);
        sim.runUntil(3 * S);
        assertEquals(1750 * MS, a.ran(), 10 * MS);
        assertEquals(1250 * MS, b.ran(), 10 * MS);
    }

    @Test
    void aHogThatSleptLongGetsNoMoreThanTheSleeperCredit() {
        Cgroup root = Cgroup.newRoot();
        PolicySimulation sim = new PolicySimulation(root, 1);
        var hog = sim.add("hog", group(root, "hog", 100), HOG, 0);
        var napper = sim.add("napper", group(root, "napper", 100), 2 * S, 2 * S);   // runs 2 s, sleeps 2 s
        sim.runUntil(12 * S);
        // While both are runnable they alternate; the napper's sleep earns it no catch-up beyond a few ms.
        assertEquals(12 * S - napper.ran(), hog.ran());
        assertTrue(hog.ran() > 7 * S, "hog ran " + hog.ran());
    }

    @Test
    void entitiesOfOneSharedCpuNeverRunTogether() {
        Cgroup root = Cgroup.newRoot();
        SharedCpu kernel = new SharedCpu(null);
        PolicySimulation sim = new PolicySimulation(root, 2);
        Cgroup c = group(root, "container", 100);
        var t1 = sim.add("t1", c, HOG, 0, kernel);
        var t2 = sim.add("t2", c, 3 * MS, 5 * MS, kernel);
        var other = sim.add("other", group(root, "other", 100), HOG, 0);
        boolean[] together = {false};
        sim.check = running -> {
            int n = 0;
            for (var t : running) if (t != null && t.entity.cpu == kernel) n++;
            if (n > 1) together[0] = true;
        };
        sim.runUntil(5 * S);
        assertFalse(together[0], "two tasks of one kernel ran at once");
        assertEquals(5 * S, other.ran(), 2 * FairPolicy.SLICE, "the other container has a worker to itself");
        assertEquals(5 * S, t1.ran() + t2.ran(), 2 * FairPolicy.SLICE, "the kernel's CPU is never idle while a task can run");
        assertTrue(t2.ran() > S, "t2 ran " + t2.ran());
    }

    @Test
    void victimIsTheHolderOfTheWokenEntitysCpuForUrgentWork() {
        Cgroup root = Cgroup.newRoot();
        FairPolicy p = new FairPolicy(root);
        SharedCpu cpu = new SharedCpu(null);
        Entity task = new Entity(new PolicySimulation.Task("t", root, HOG, 0, cpu), "t", root, cpu, false);
        Entity service = new Entity(new PolicySimulation.Task("s", root, HOG, 0, cpu), "s", root, cpu, true);
        p.wake(task, 0);
        assertSame(task, p.pick(0));
        p.grant(task, 0);
        assertTrue(p.wake(service, 0));
        assertNull(p.pick(0), "the service waits for its kernel's CPU");
        assertSame(task, p.victim(service, new Entity[] {task}, 1, 0));
        p.put(task, Schedulable.Outcome.PREEMPTED, 100, 0, Long.MAX_VALUE, 100);
        assertNotNull(p.pick(100));
    }
}
