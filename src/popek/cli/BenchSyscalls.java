package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Stdio;
import popek.cpu.StopReason;
import popek.stats.BenchResult;
import popek.stats.BenchTable;
import popek.stats.Measurement;

/**
 * {@code popek bench syscalls}: Linux system-call workloads run by Popek's kernel and by QEMU's user-mode emulator
 * (qemu-i386) on the same i386 programs, alternately, run after run, so that both see the same host.
 */
@Command(name = "syscalls", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the syscallbench program's workloads (null system call, a 1-byte read of /dev/zero,",
            "fork+exit+wait4, fork+execve+wait4, a pipe round trip) and, with --busybox, a 1,000-iteration busybox",
            "shell loop, each in a Popek container and under qemu-i386, alternately. Reports ns per operation",
            "(median of the runs, min-max spread) and qemu-i386/popek. Writes DIR/syscalls.csv and DIR/syscalls.svg.",
            "fork+execve under qemu-i386 needs binfmt_misc to run the child (README: Containers); it is left out",
            "without it."})
final class BenchSyscalls implements Callable<Integer> {
    /** A workload: a syscallbench argument and its count, or the shell loop. */
    record Workload(String row, String what, long count) { }

    static final List<Workload> WORKLOADS = List.of(new Workload("getpid", "getpid", 1_000_000),
            new Workload("read /dev/zero", "read", 200_000), new Workload("fork+exit+wait4", "fork", 300),
            new Workload("fork+execve+wait4", "exec", 300), new Workload("pipe round trip", "pipe", 5_000));
    static final Workload SHELL = new Workload("sh loop, 1000 lines", "shell", 1000);
    static final String POPEK = "popek", QEMU = "qemu-i386";

    @Option(names = "--runs", paramLabel = "R", defaultValue = "5", description = "Repetitions; figures are medians. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--scale", paramLabel = "F", defaultValue = "1",
            description = "Multiply every operation count by F (e.g. 0.1 for a quick look). Default: ${DEFAULT-VALUE}.")
    double scale;

    @Option(names = "--busybox", paramLabel = "DIR",
            description = "A root holding Debian's i386 busybox at bin/busybox, for the shell-loop workload.")
    Path busybox;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Where syscalls.csv and syscalls.svg go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (runs < 1 || runs > 100) throw new Main.UserError("--runs: must be 1 to 100");
        if (!(scale > 0) || scale > 100) throw new Main.UserError("--scale: must be more than 0 and at most 100");
        if (busybox != null && !Files.isRegularFile(busybox.resolve("bin/busybox"))) {
            throw new Main.UserError("--busybox " + busybox + ": no bin/busybox there");
        }
        Path qemu = qemu();
        Path root = Files.createTempDirectory("popek-bench");
        try {
            Files.createDirectories(root.resolve("bin"));
            Path program = root.resolve("bin/syscallbench");
            Files.copy(CliTargets.shippedProgram("syscallbench"), program, StandardCopyOption.REPLACE_EXISTING);
            program.toFile().setExecutable(true);
            List<Workload> work = new ArrayList<>(WORKLOADS);
            if (busybox != null) work.add(SHELL);
            boolean qemuExec = qemu != null && Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-i386"));
            Map<String, Map<String, List<Measurement.Run>>> runsOf = new LinkedHashMap<>();
            Map<String, Long> counts = new LinkedHashMap<>();
            // A warm-up round first (class loading, JIT compilation of the trap path), not counted.
            for (Workload w : work) popek(w == SHELL ? busybox : root, w, Math.max(1, Math.round(w.count() * scale / 10)));
            for (int r = 0; r < runs; r++) {
                System.err.printf("popek: bench syscalls, run %d of %d%n", r + 1, runs);
                for (Workload w : work) {
                    long n = Math.max(1, Math.round(w.count() * scale));
                    counts.put(w.row(), w == SHELL ? 1 : n);   // the shell loop is timed whole, start-up included
                    Path runRoot = w == SHELL ? busybox : root;
                    add(runsOf, w.row(), POPEK, popek(runRoot, w, n));
                    if (qemu != null && (qemuExec || !w.what().equals("exec"))) add(runsOf, w.row(), QEMU, qemu(qemu, runRoot, w, n));
                }
            }
            List<Measurement> cells = new ArrayList<>();
            for (var row : runsOf.entrySet()) {
                for (var mode : row.getValue().entrySet()) cells.add(Measurement.fromRuns(row.getKey(), mode.getKey(), counts.get(row.getKey()), mode.getValue()));
            }
            List<String> modes = qemu == null ? List.of(POPEK) : List.of(POPEK, QEMU);
            BenchResult result = new BenchResult(modes, cells);
            System.out.print(new BenchTable(result).render("Linux system calls: Popek's kernel against qemu-i386 (ns per operation)"));
            if (qemu == null) System.out.println("(qemu-i386 is not installed: apt-get install qemu-user to compare)");
            else if (!qemuExec) System.out.println("(fork+execve+wait4 not run under qemu-i386: register it with binfmt_misc, see README)");
            BenchCommand.writeFiles(out, "syscalls", result, "workload", "Popek's Linux kernel against qemu-i386: ns per operation");
            return 0;
        } finally {
            deleteTree(root);
        }
    }

    private static void add(Map<String, Map<String, List<Measurement.Run>>> runsOf, String row, String mode, long nanos) {
        runsOf.computeIfAbsent(row, k -> new LinkedHashMap<>()).computeIfAbsent(mode, k -> new ArrayList<>())
                .add(new Measurement.Run(nanos, 0, 0));
    }

    private static Path qemu() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(java.io.File.pathSeparator)) {
            Path p = Path.of(d, "qemu-i386");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    private static List<String> command(Workload w, long n) {
        if (w == SHELL) return List.of("/bin/busybox", "sh", "-c", "i=0; while [ $i -lt " + n + " ]; do i=$((i+1)); done; echo $i");
        return List.of("/bin/syscallbench", w.what(), Long.toString(n));
    }

    /** Nanoseconds the workload took in a Popek container (as the program measured it; the shell loop: wall time). */
    private static long popek(Path root, Workload w, long n) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream(), stderr = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(List.of(root), command(w, n), List.of(), "/", 0, 0, false, false, false, ContainerConfig.DEFAULT_MEMORY);
        long t0 = System.nanoTime();
        int status = new Container(c, new Stdio(InputStream.nullInputStream(), stdout, stderr), new PrintStream(stderr, true)).run();
        long wall = System.nanoTime() - t0;
        return result(w, status, stdout.toString(StandardCharsets.UTF_8), stderr.toString(StandardCharsets.UTF_8), wall, "Popek");
    }

    private static long qemu(Path qemu, Path root, Workload w, long n) {
        List<String> cmd = new ArrayList<>(List.of(qemu.toString(), "-L", root.toString(), root.resolve(command(w, n).getFirst().substring(1)).toString()));
        cmd.addAll(command(w, n).subList(1, command(w, n).size()));
        try {
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            byte[] o = p.getInputStream().readAllBytes();
            byte[] e = p.getErrorStream().readAllBytes();
            if (!p.waitFor(600, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Main.UserError("qemu-i386 did not finish " + w.row(), StopReason.Cause.INTERNAL_ERROR.exitCode());
            }
            long wall = System.nanoTime() - t0;
            return result(w, p.exitValue() << 8, new String(o, StandardCharsets.UTF_8), new String(e, StandardCharsets.UTF_8), wall, "qemu-i386");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new Main.UserError("interrupted", 130);
        } catch (IOException ex) {
            throw new Main.UserError("cannot run qemu-i386: " + ex.getMessage(), StopReason.Cause.INTERNAL_ERROR.exitCode());
        }
    }

    private static long result(Workload w, int status, String out, String err, long wall, String who) {
        if (status != 0) throw new Main.UserError(w.row() + " failed under " + who + " (status " + status + "): " + (out + err).strip(), StopReason.Cause.INTERNAL_ERROR.exitCode());
        if (w == SHELL) return wall;
        String[] f = out.strip().split(" ");
        if (f.length != 4) throw new Main.UserError(w.row() + " under " + who + " printed: " + out.strip(), StopReason.Cause.INTERNAL_ERROR.exitCode());
        return Long.parseLong(f[2]);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
