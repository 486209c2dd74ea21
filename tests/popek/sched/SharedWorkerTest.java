package popek.sched;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cgroup.Cgroup;
import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Stdio;
import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real containers and a real VM on one host scheduler: a CPU-bound VM and a CPU-bound container share one worker
 * by weight, and cpu.max holds a container's hog to its quota. (Shares, by the scheduler's own cpu.stat, with
 * generous bounds: the exact policy is FairPolicyTest's; this is the wiring.)
 */
class SharedWorkerTest {
    @TempDir Path root;

    private Path hogRoot() throws Exception {
        Path program = GuestRun.guestImage("linux/schedbench");
        Files.createDirectories(root.resolve("bin"));
        Files.copy(program, root.resolve("bin/schedbench"));
        root.resolve("bin/schedbench").toFile().setExecutable(true);
        return root;
    }

    /** A container spinning from wall-clock {@code start} to {@code end}, on {@code host}, in {@code g}. */
    private static Thread hog(Path root, HostScheduler host, Cgroup g, long start, long end, int[] status) {
        ContainerConfig c = new ContainerConfig(List.of(root), List.of("/bin/schedbench", "hog", Long.toString(start), Long.toString(end)),
                List.of(), "/", 0, 0, false, false, false, ContainerConfig.DEFAULT_MEMORY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Container container = new Container(c, new Stdio(InputStream.nullInputStream(), out, out), new PrintStream(out, true));
        return Thread.ofPlatform().start(() -> status[0] = container.run(host, g));
    }

    private static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Test
    void aVmAndAContainerShareOneWorkerByWeight() throws Exception {
        Path r = hogRoot();
        Cgroup top = Cgroup.newRoot();
        Cgroup vmGroup = top.create("vm"), ctGroup = top.create("container");
        vmGroup.cpu().setWeight(100);
        ctGroup.cpu().setWeight(300);
        try (HostScheduler host = new HostScheduler(1, top);
             Machine m = new MachineBuilder().memory(64L << 20).mode(ExecutionMode.EMULATE)
                     .multiboot(GuestRun.guestImage("trapbench.elf"), "iterations=1000000000 only=compute").build()) {
            StopReason[] stop = {null};
            Thread vm = Thread.ofPlatform().start(() -> stop[0] = m.run(host, vmGroup));
            int[] status = {-1};
            // The container spins from 1 s after now (its start-up done) for 2 s; cpu.stat is read over the middle 1.5 s.
            long start = epochNanos() + 1_000_000_000L, nano = System.nanoTime() + 1_000_000_000L;
            Thread ct = hog(r, host, ctGroup, start, start + 2_000_000_000L, status);
            Thread.sleep(Math.max(0, (nano + 250_000_000L - System.nanoTime()) / 1_000_000));
            long v0 = vmGroup.cpu().usageUsec.get(), c0 = ctGroup.cpu().usageUsec.get();
            Thread.sleep(1_500);
            double v = vmGroup.cpu().usageUsec.get() - v0, c = ctGroup.cpu().usageUsec.get() - c0;
            ct.join(30_000);
            m.requestStop(new StopReason(StopReason.Cause.INTERRUPTED, "test over"));
            vm.join(30_000);
            assertEquals(0, status[0]);
            assertEquals(StopReason.Cause.INTERRUPTED, stop[0].cause());
            assertTrue(c / v > 2 && c / v < 4.5, "container : VM = " + c / v + " (weights 300 : 100)");
        }
    }

    @Test
    void cpuMaxHoldsAContainersHogToItsQuota() throws Exception {
        Path r = hogRoot();
        Cgroup top = Cgroup.newRoot();
        Cgroup limited = top.create("limited");
        limited.cpu().setMax(20_000, 100_000);
        try (HostScheduler host = new HostScheduler(1, top)) {
            int[] status = {-1};
            // It spins from 1 s after now (its start-up done) for 2 s; cpu.stat is read over the middle 1.5 s.
            long start = epochNanos() + 1_000_000_000L, nano = System.nanoTime() + 1_000_000_000L;
            Thread ct = hog(r, host, limited, start, start + 2_000_000_000L, status);
            Thread.sleep(Math.max(0, (nano + 250_000_000L - System.nanoTime()) / 1_000_000));
            long u0 = limited.cpu().usageUsec.get(), t0 = System.nanoTime();
            Thread.sleep(1_500);
            long u1 = limited.cpu().usageUsec.get(), wall = System.nanoTime() - t0;
            ct.join(30_000);
            assertEquals(0, status[0]);
            double share = (u1 - u0) * 1000.0 / wall;
            var cs = limited.cpu();
            assertTrue(share > 0.15 && share <= 0.25, "share " + share + " wall " + wall + " periods " + cs.nrPeriods.get() + " throttled " + cs.nrThrottled.get() + " for " + cs.throttledUsec.get() + " usage " + cs.usageUsec.get());
            assertTrue(limited.cpu().nrThrottled.get() >= 10, "throttled " + limited.cpu().nrThrottled.get() + " times");
        }
    }
}
