package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import popek.cgroup.Cgroup;
import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Stdio;
import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.BootImageException;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.sched.HostScheduler;
import popek.stats.SchedReport;

/**
 * {@code popek bench sched}: the host scheduler measured on containers and a VM sharing one JVM, each scenario on 1
 * and on 2 worker threads: shares by cpu.weight, a cpu.max limit, a VM beside containers, an interactive task's
 * wake-up latency beside hogs, and the scheduler's own cost per switch.
 */
@Command(name = "sched", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run CPU-bound containers (guest-images/linux/schedbench) and a CPU-bound VM (trapbench's compute",
            "loop) on one host scheduler with 1 and with 2 worker threads: weights 100/200/400, cpu.max 20000 100000,",
            "a VM beside two containers at equal weight, and cyclictest-style wake-ups beside four hogs. Reports each",
            "one's share of the CPU time (by cpu.stat, and by work done) against its fair share, Jain's fairness index,",
            "wake-up latency p50/p99, and switches per second with the scheduler's host time per switch. Writes",
            "DIR/sched.csv and DIR/sched.svg."})
final class BenchSched implements Callable<Integer> {
    @Option(names = "--duration", paramLabel = "SECONDS", defaultValue = "4",
            description = "How long each scenario runs (default: ${DEFAULT-VALUE}).")
    double duration;

    @Option(names = "--workers", paramLabel = "N[,N]", split = ",", defaultValue = "1,2",
            description = "Worker-thread counts to run each scenario on (default: ${DEFAULT-VALUE}).")
    List<Integer> workerCounts;

    @Option(names = "--scenarios", paramLabel = "NAME[,NAME]", split = ",", defaultValue = "shares,cpumax,vm,wakeup",
            description = "Which scenarios (default: all of ${DEFAULT-VALUE}).")
    List<String> chosen;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Where sched.csv and sched.svg go (default: ${DEFAULT-VALUE}).")
    Path out;

    private static final long MS = 1_000_000;
    private Path root;

    @Override
    public Integer call() throws IOException {
        if (!(duration >= 1) || duration > 600) throw new Main.UserError("--duration: must be 1 to 600 seconds");
        for (int w : workerCounts) if (w < 1 || w > 64) throw new Main.UserError("--workers: each count must be 1 to 64");
        for (String c : chosen) {
            if (!List.of("shares", "cpumax", "vm", "wakeup").contains(c)) throw new Main.UserError("--scenarios: '" + c + "' is not one (shares, cpumax, vm, wakeup)");
        }
        root = Files.createTempDirectory("popek-bench-sched");
        try {
            Files.createDirectories(root.resolve("bin"));
            Path program = root.resolve("bin/schedbench");
            Files.copy(shipped("linux/schedbench"), program, StandardCopyOption.REPLACE_EXISTING);
            program.toFile().setExecutable(true);
            SchedReport report = new SchedReport();
            long span = (long) (duration * 1e9);
            for (int w : workerCounts) {
                System.err.printf("popek: bench sched on %d worker thread%s%n", w, w == 1 ? "" : "s");
                if (chosen.contains("shares")) shares(report, w, span, false);
                if (chosen.contains("shares") && w > 1) shares(report, w, span, true);
                if (chosen.contains("cpumax")) cpuMax(report, w, span);
                if (chosen.contains("vm")) vm(report, w, span);
                if (chosen.contains("wakeup")) wakeups(report, w, span);
            }
            System.out.print(report.table());
            Files.createDirectories(out);
            Files.writeString(out.resolve("sched.csv"), report.csv());
            Files.writeString(out.resolve("sched.svg"), report.svg("Popek's host scheduler: share of CPU time against the fair share"));
            System.out.println("wrote " + out.resolve("sched.csv") + " and " + out.resolve("sched.svg"));
            return 0;
        } finally {
            BenchSyscallsFiles.deleteTree(root);
        }
    }

    // ---------------------------------------------------------------- scenarios

    /** Weights 100/200/400: three containers, or (paired) three groups of two containers each. */
    private void shares(SchedReport report, int workers, long span, boolean paired) {
        Cgroup top = Cgroup.newRoot();
        int[] weights = {100, 200, 400};
        String scenario = paired ? "weights 100/200/400, two containers each" : "weights 100/200/400";
        try (HostScheduler host = new HostScheduler(workers, top)) {
            Run r = new Run(host, span);
            List<List<Running>> groups = new ArrayList<>();
            for (int w : weights) {
                Cgroup g = top.create("w" + w);
                g.cpu().setWeight(w);
                if (paired) groups.add(List.of(r.hog("w" + w + "a", g.create("a")), r.hog("w" + w + "b", g.create("b"))));
                else groups.add(List.of(r.hog("w" + w, g)));
            }
            r.finish();
            // The fair share: weighted max-min over what each group can use (one worker per container).
            double[] fair = SchedReport.fairShares(weights, paired ? new int[] {2, 2, 2} : new int[] {1, 1, 1}, workers);
            long[] usage = new long[3], work = new long[3];
            for (int i = 0; i < 3; i++) {
                for (Running x : groups.get(i)) {
                    usage[i] += x.usage();
                    work[i] += x.iterations();
                }
            }
            double[] byWork = byWork(usage, work, r.window());
            List<SchedReport.Member> members = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                members.add(new SchedReport.Member("weight " + weights[i], fair[i], usage[i] / (double) r.window(), byWork[i]));
            }
            report.add(scenario + ", shares of what the three got", workers, SchedReport.relative(members), host.stats().switches(),
                    host.stats().switchNanos(), host.stats().medianSwitchNanos(), r.elapsed(), used(members, workers));
        }
    }

    /** cpu.max 20000 100000 on a hog, beside an unlimited hog. */
    private void cpuMax(SchedReport report, int workers, long span) {
        Cgroup top = Cgroup.newRoot();
        try (HostScheduler host = new HostScheduler(workers, top)) {
            Run r = new Run(host, span);
            Cgroup limited = top.create("limited");
            limited.cpu().setMax(20_000, 100_000);
            Running hog = r.hog("limited", limited);
            Running other = r.hog("unlimited", top.create("unlimited"));
            r.finish();
            var c = limited.cpu();
            String note = String.format("nr_periods %d, nr_throttled %d, throttled_usec %d", c.nrPeriods.get(),
                    c.nrThrottled.get(), c.throttledUsec.get());
            double[] byWork = byWork(new long[] {hog.usage(), other.usage()}, new long[] {hog.iterations(), other.iterations()}, r.window());
            report.add("cpu.max 20000 100000", workers, List.of(
                    new SchedReport.Member("limited", 0.20, hog.usage() / (double) r.window(), byWork[0]),
                    new SchedReport.Member("unlimited", workers == 1 ? 0.80 : 1.0, other.usage() / (double) r.window(), byWork[1])),
                    host.stats().switches(), host.stats().switchNanos(), host.stats().medianSwitchNanos(), r.elapsed(), note);
        }
    }

    /** trapbench's compute loop in a VM beside two hog containers, all at weight 100. */
    private void vm(SchedReport report, int workers, long span) {
        Cgroup top = Cgroup.newRoot();
        try (HostScheduler host = new HostScheduler(workers, top)) {
            Run r = new Run(host, span);
            Cgroup vmGroup = top.create("vm");
            Machine m;
            try {
                m = new MachineBuilder().memory(64L << 20).mode(ExecutionMode.EMULATE).timeoutNanos(0)
                        .multiboot(BootCommand.resolveImage("trapbench"), "iterations=1000000000 only=compute").build();
            } catch (BootImageException e) {
                throw new Main.UserError(e.getMessage());
            }
            StopReason[] stop = {null};
            Thread vmThread = Thread.ofPlatform().name("bench-vm").start(() -> stop[0] = m.run(host, vmGroup));
            Running a = r.hog("container 1", top.create("c1"));
            Running b = r.hog("container 2", top.create("c2"));
            Running v = r.track("VM", vmGroup);
            r.finish();
            long vmUsage = v.usage();
            m.requestStop(new StopReason(StopReason.Cause.INTERRUPTED, "the benchmark is over"));
            join(vmThread);
            m.close();
            double fair = Math.min(1.0, workers / 3.0);
            report.add("VM beside 2 containers, equal weight, shares of what the three got", workers, SchedReport.relative(List.of(
                    new SchedReport.Member("VM (trapbench compute)", fair, vmUsage / (double) r.window(), Double.NaN),
                    new SchedReport.Member("container 1", fair, a.usage() / (double) r.window(), Double.NaN),
                    new SchedReport.Member("container 2", fair, b.usage() / (double) r.window(), Double.NaN))),
                    host.stats().switches(), host.stats().switchNanos(), host.stats().medianSwitchNanos(), r.elapsed(),
                    used(List.of(new SchedReport.Member("", 1, vmUsage / (double) r.window(), 0),
                            new SchedReport.Member("", 1, a.usage() / (double) r.window(), 0),
                            new SchedReport.Member("", 1, b.usage() / (double) r.window(), 0)), workers));
        }
    }

    /** A task that sleeps 10 ms and wakes, 4 hogs beside it: how late it wakes (and, first, with no hogs). */
    private void wakeups(SchedReport report, int workers, long span) {
        int n = (int) Math.min(4000, span / (10 * MS));
        for (int hogs : new int[] {0, 4}) {
            Cgroup top = Cgroup.newRoot();
            try (HostScheduler host = new HostScheduler(workers, top)) {
                Run r = new Run(host, span);
                List<Running> hogsRunning = new ArrayList<>();
                for (int i = 0; i < hogs; i++) hogsRunning.add(r.hog("hog " + (i + 1), top.create("hog" + i)));
                Running shell = r.start("interactive", top.create("interactive"), List.of("/bin/schedbench", "wake", Integer.toString(n), "10000"));
                r.finish();
                String[] f = shell.output().strip().split(" ");
                if (f.length != 5) throw new Main.UserError("schedbench wake printed: " + shell.output().strip(), StopReason.Cause.INTERNAL_ERROR.exitCode());
                List<SchedReport.Member> members = new ArrayList<>();
                double fair = Math.min(1.0, workers / (double) hogs);
                for (Running h : hogsRunning) members.add(new SchedReport.Member(h.name(), fair, h.usage() / (double) r.window(), Double.NaN));
                report.addLatency(hogs == 0 ? "wake-ups every 10 ms, alone" : "wake-ups every 10 ms beside 4 hogs", workers,
                        members, Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]), Integer.parseInt(f[1]),
                        host.stats().switches(), host.stats().switchNanos(), host.stats().medianSwitchNanos(), r.elapsed());
            }
        }
    }

    /** How much of the workers' time the members used together (the rest: the scheduler, the host's other load). */
    private static String used(List<SchedReport.Member> members, int workers) {
        double sum = 0;
        for (SchedReport.Member m : members) sum += m.measured();
        return String.format(java.util.Locale.ROOT, "together %.1f%% of %d worker%s", 100 * sum / workers, workers, workers == 1 ? "" : "s");
    }

    /**
     * The CPU time cpu.stat gave the members in all, shared out in proportion to the work each did (its loop
     * iterations): a check of the scheduler's accounting by what the programs themselves got done. Relative, so the
     * host's other load (which slows every worker alike) does not enter.
     */
    private static double[] byWork(long[] usage, long[] work, long window) {
        long totalUsage = 0, totalWork = 0;
        for (int i = 0; i < usage.length; i++) {
            totalUsage += usage[i];
            totalWork += work[i];
        }
        double[] out = new double[usage.length];
        for (int i = 0; i < out.length; i++) out[i] = totalWork == 0 ? Double.NaN : (double) totalUsage / window * work[i] / totalWork;
        return out;
    }

    // ---------------------------------------------------------------- running containers

    /** One container of a scenario, running on its own Java thread (which waits for it; the workers run it). */
    private record Running(String name, Cgroup group, Thread thread, ByteArrayOutputStream out, long[] samples) {
        long usage() { return samples[1] - samples[0]; }

        String output() { return out.toString(StandardCharsets.UTF_8); }

        long iterations() {
            String s = output().strip();
            if (!s.startsWith("hog ")) throw new Main.UserError(name + ": schedbench printed: " + s, StopReason.Cause.INTERNAL_ERROR.exitCode());
            return Long.parseLong(s.substring(4).strip());
        }
    }

    /**
     * A scenario's timeline: hogs spin from {@code start} to {@code end} (wall clock, so that every container's
     * window is the same); cpu.stat is read a little after the start and a little before the end, when all run.
     */
    private final class Run {
        private final HostScheduler host;
        private final long startEpoch, endEpoch, startNano, endNano;
        private final List<Running> running = new ArrayList<>();
        private long t1, t2, ended;
        private final long created = System.nanoTime();

        Run(HostScheduler host, long span) {
            this.host = host;
            long lead = 500 * MS;
            Instant now = Instant.now();
            long epoch = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            startNano = System.nanoTime() + lead;
            endNano = startNano + span;
            startEpoch = epoch + lead;
            endEpoch = startEpoch + span;
        }

        Running hog(String name, Cgroup g) {
            return start(name, g, List.of("/bin/schedbench", "hog", Long.toString(startEpoch), Long.toString(endEpoch)));
        }

        Running start(String name, Cgroup g, List<String> cmd) {
            ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
            ContainerConfig c = new ContainerConfig(List.of(root), cmd, List.of(), "/", 0, 0, false, false, false, ContainerConfig.DEFAULT_MEMORY);
            Container container = new Container(c, new Stdio(InputStream.nullInputStream(), o, e), new PrintStream(e, true));
            int[] status = {-1};
            Thread t = Thread.ofPlatform().name("bench-" + name).start(() -> status[0] = container.run(host, g));
            Running r = new Running(name, g, t, o, new long[2]);
            running.add(r);
            return r;
        }

        /** Something else running in {@code g} (a VM), whose cpu.stat is read with the containers'. */
        Running track(String name, Cgroup g) {
            Running r = new Running(name, g, null, new ByteArrayOutputStream(), new long[2]);
            running.add(r);
            return r;
        }

        /** Reads cpu.stat in the steady window, then waits for every container to end. */
        void finish() {
            waitUntil(startNano + 200 * MS);
            t1 = System.nanoTime();
            for (Running r : running) r.samples()[0] = r.group().cpu().usageUsec.get();
            waitUntil(endNano - 200 * MS);
            t2 = System.nanoTime();
            for (Running r : running) r.samples()[1] = r.group().cpu().usageUsec.get();
            for (Running r : running) if (r.thread() != null) join(r.thread());
            ended = System.nanoTime();
        }

        /** From the scenario's start to the end of its last container, ns. */
        long elapsed() { return ended - created; }

        /** The steady window's length in µs (usage_usec's unit). */
        long window() { return (t2 - t1) / 1000; }
    }

    private static void waitUntil(long nano) {
        long wait;
        while ((wait = nano - System.nanoTime()) > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Main.UserError("interrupted", 130);
            }
        }
    }

    private static void join(Thread t) {
        try {
            t.join(120_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Main.UserError("interrupted", 130);
        }
        if (t.isAlive()) throw new Main.UserError(t.getName() + " did not finish", StopReason.Cause.INTERNAL_ERROR.exitCode());
    }

    private static Path shipped(String name) {
        String dir = System.getProperty("popek.guestImages");
        Path p = dir == null ? null : Path.of(dir, name);
        if (p == null || !Files.isRegularFile(p)) throw new Main.UserError(name + " is not built (run ./popek through its launcher)", StopReason.Cause.INTERNAL_ERROR.exitCode());
        return p;
    }

    /** Deletes the scratch root. */
    private static final class BenchSyscallsFiles {
        static void deleteTree(Path p) throws IOException {
            try (var s = Files.walk(p)) {
                for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
            }
        }
    }
}
