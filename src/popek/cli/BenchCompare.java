package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.devices.BenchMarker;
import popek.platform.BootImageException;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.stats.BenchResult;
import popek.stats.CompareTable;
import popek.stats.Measurement;
import popek.stats.ModeRatio;

/**
 * {@code popek bench compare}: the same five workloads (guest-images/compare) unmodified under emulate and full, and
 * para-virtualised under para; each workload timed by the VMM between the guest's marks, with its exits and traps.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the compare guest's workloads (irqmask, syscall, pagetable, console, disk) in emulate and full",
            "mode (the unmodified build) and in para mode (the para-virtualised build), and report per workload and mode:",
            "wall time (median of the runs, min-max spread), exits, traps, exits per second, the ratios para/full and",
            "full/emulate, and which mode won. Writes DIR/compare.csv and DIR/compare.svg."})
final class BenchCompare implements Callable<Integer> {
    static final List<String> WORKLOADS = List.of("irqmask", "syscall", "pagetable", "console", "disk");
    static final List<String> MODES = List.of("emulate", "full", "para");

    @Option(names = "--workloads", paramLabel = "W[,W]", split = ",",
            description = "Only these workloads (default: all): irqmask, syscall, pagetable, console, disk.")
    List<String> workloads;

    @Option(names = "--modes", paramLabel = "MODE[,MODE]", split = ",", defaultValue = "emulate,full,para",
            description = "Modes to run (default: ${DEFAULT-VALUE}).")
    List<String> modes;

    @Option(names = "--runs", paramLabel = "R", defaultValue = "3", description = "Repetitions; figures are medians. Default: ${DEFAULT-VALUE}.")
    int runs;

    @Option(names = "--size", paramLabel = "W=N", split = ",",
            description = {"A workload's size: irqmask=critical sections (200000), syscall=round trips (20000),",
                "pagetable=address spaces (1000), console=lines (2000), disk=MiB written and read back (4)."})
    Map<String, Long> sizes = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
            description = "Where compare.csv and compare.svg go (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        List<String> chosen = workloads == null ? WORKLOADS : workloads;
        for (String w : chosen) {
            if (!WORKLOADS.contains(w)) throw new Main.UserError("--workloads: '" + w + "' is not a workload (one of: " + String.join(", ", WORKLOADS) + ")");
        }
        for (String m : modes) {
            if (!MODES.contains(m)) throw new Main.UserError("--modes: '" + m + "' is not a mode (one of: " + String.join(", ", MODES) + ")");
        }
        if (runs < 1 || runs > 100) throw new Main.UserError("--runs: must be 1 to 100");
        StringBuilder args = new StringBuilder("only=").append(String.join(",", chosen));
        for (var e : sizes.entrySet()) {
            if (!WORKLOADS.contains(e.getKey())) throw new Main.UserError("--size: '" + e.getKey() + "' is not a workload");
            long max = e.getKey().equals("disk") ? 1024 : 100_000_000;
            if (e.getValue() < 1 || e.getValue() > max) throw new Main.UserError("--size: " + e.getKey() + " must be 1 to " + max);
            args.append(' ').append(e.getKey().equals("disk") ? "disk-mib" : e.getKey()).append('=').append(e.getValue());
        }
        long diskMib = sizes.getOrDefault("disk", 4L);
        Path unmodified = BootCommand.resolveImage("compare"), para = BootCommand.resolveImage("compare-para");

        Path disk = Files.createTempFile("popek-compare-", ".img");
        try {
            // Runs outermost and the modes interleaved within each, so that host drift weighs on every mode alike.
            Map<String, Map<String, List<Measurement.Run>>> byMode = new LinkedHashMap<>();
            for (int r = 0; r < runs; r++) {
                for (String mode : modes) {
                    System.err.printf("popek: compare, %s mode, run %d of %d%n", mode, r + 1, runs);
                    try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
                        f.setLength(0);
                        f.setLength(diskMib << 20);   // a fresh, empty disk for every run
                    }
                    Map<String, Measurement.Run> got = runGuest(mode.equals("para") ? para : unmodified, mode, args.toString(), disk, chosen);
                    for (var e : got.entrySet()) {
                        byMode.computeIfAbsent(mode, k -> new LinkedHashMap<>()).computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
                    }
                }
            }
            List<Measurement> cells = new ArrayList<>();
            for (String w : chosen) {
                for (String mode : modes) {
                    List<Measurement.Run> rs = byMode.getOrDefault(mode, Map.of()).get(w);
                    if (rs != null) cells.add(Measurement.fromRuns(w, mode, 1, rs));
                }
            }
            if (cells.isEmpty()) throw new Main.UserError("no workload was measured", StopReason.Cause.INTERNAL_ERROR.exitCode());
            BenchResult result = new BenchResult(modes, cells);
            List<ModeRatio> ratios = new ArrayList<>();
            if (modes.contains("full") && modes.contains("emulate")) ratios.add(new ModeRatio("full", "emulate"));
            if (modes.contains("para") && modes.contains("full")) ratios.add(new ModeRatio("para", "full"));
            System.out.print(new CompareTable(result, ratios).render("Emulate, full and para on the same work (compare guest, " + args + ")"));
            BenchCommand.writeFiles(out, "compare", result, "workload", "Popek: one workload, three modes (wall time)");
            return 0;
        } finally {
            Files.deleteIfExists(disk);
        }
    }

    /** Boots the guest once for every chosen workload; returns each measured workload's run (skipped ones absent). */
    private static Map<String, Measurement.Run> runGuest(Path image, String mode, String args, Path disk, List<String> chosen) {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (Machine m = new MachineBuilder().memory(64L << 20).serialOutput(console).benchMarker(true)
                .mode(ExecutionMode.byLabel(mode)).disk(disk, false)
                .timeoutNanos(600_000_000_000L).multiboot(image, args).build()) {
            StopReason stop = m.run();
            String text = console.toString(StandardCharsets.US_ASCII);
            List<String> report = text.lines().filter(l -> l.startsWith("compare: ") && !l.startsWith("compare: console line")).toList();
            if (stop.exitCode() != 33) {
                throw new Main.UserError("the compare guest failed in " + mode + " mode (" + stop.message() + "): "
                        + String.join(" | ", report), StopReason.Cause.INTERNAL_ERROR.exitCode());
            }
            BenchMarker marks = m.benchMarker();
            Map<String, Measurement.Run> runs = new LinkedHashMap<>();
            for (String w : chosen) {
                int id = WORKLOADS.indexOf(w);
                if (marks.complete(id)) runs.put(w, new Measurement.Run(marks.elapsedNanos(id), marks.traps(id), marks.exits(id)));
            }
            return runs;
        } catch (BootImageException e) {
            throw new Main.UserError(e.getMessage());
        }
    }
}
