package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.cpu.VirtualClock;
import popek.devices.BenchMarker;
import popek.platform.BootImageException;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.stats.AxisScale;
import popek.stats.BenchCsv;
import popek.stats.BenchResult;
import popek.stats.BenchTable;
import popek.stats.Measurement;
import popek.stats.SvgBarChart;

/** {@code popek bench}: Popek's own benchmarks, run on the shipped benchmark guests. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure what each trap costs.",
        subcommands = {BenchCommand.Traps.class, BenchCompare.class, BenchSyscalls.class, BenchSched.class})
final class BenchCommand implements Runnable {
    /**
     * A bench's results as {@code DIR/NAME.csv} and a log-scale bar chart {@code DIR/NAME.svg} ({@code axis} names
     * the groups, {@code title} heads the chart), and a line saying where they went.
     */
    static void writeFiles(Path out, String name, BenchResult result, String axis, String title) throws IOException {
        Files.createDirectories(out);
        Path csv = out.resolve(name + ".csv"), svg = out.resolve(name + ".svg");
        Files.writeString(csv, BenchCsv.render(result));
        Files.writeString(svg, new SvgBarChart(result, AxisScale.LOG, axis).render(title));
        System.out.println("wrote " + csv + " and " + svg);
    }

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "which benchmark? (e.g. 'popek bench traps')");
    }

    /** The modes `bench` can run today; para comes with its issue. */
    static final List<String> MODES = List.of("emulate", "full");

    @Command(name = "traps", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Boot the trapbench guest, which runs one loop per class of sensitive instruction (and a pure",
                "compute loop as the control), and report per class: ns per iteration (median of the runs, with the",
                "min-max spread), traps per iteration, and exits. The VMM times each loop between the guest's marks on",
                "port 0x4E8. Writes a table to the terminal, and DIR/traps.csv and DIR/traps.svg."})
    static final class Traps implements Callable<Integer> {
        @Option(names = "--modes", paramLabel = "MODE[,MODE]", split = ",", defaultValue = "emulate,full",
                description = "Execution modes to compare (available: emulate, full; default: ${DEFAULT-VALUE}).")
        List<String> modes;

        @Option(names = "--iterations", paramLabel = "N|auto", defaultValue = "auto",
                description = {"Iterations of each loop (hlt_timer runs at most 2000), or auto (the default): for each",
                    "class and mode, grow the count until one loop lasts at least 50 ms, as kvm-unit-tests' vmexit tests do."})
        String iterationsOption;

        @Option(names = "--classes", paramLabel = "CLASS[,CLASS]", split = ",",
                description = "Only these classes (default: all): compute, cli_sti, pushf_popf, out_null, in_null, mov_cr3, "
                        + "invlpg, lidt_sidt, rdmsr_wrmsr, syscall_int80, pagefault, hlt_timer.")
        List<String> classes;

        @Option(names = "--runs", paramLabel = "R", defaultValue = "5", description = "Repetitions; figures are medians. Default: ${DEFAULT-VALUE}.")
        int runs;

        @Option(names = "--out", paramLabel = "DIR", defaultValue = "target/bench",
                description = "Where traps.csv and traps.svg go (default: ${DEFAULT-VALUE}).")
        Path out;

        @Option(names = "--clock", paramLabel = "host|cpu", defaultValue = "host",
                description = {"Time the loops by the host's clock (the default), or by the CPU time of the vCPU's thread,",
                    "which other load on the host does not inflate (the guest's idle time, hlt_timer's, is then skipped)."})
        String clockOption;

        private static final Pattern CLASS_LINE = Pattern.compile("^trapbench: (\\w+) iterations=(\\d+)\\b.*");

        /** The guest's classes, in its order (its marker ids). */
        static final List<String> CLASSES = List.of("compute", "cli_sti", "pushf_popf", "out_null", "in_null", "mov_cr3",
                "invlpg", "lidt_sidt", "rdmsr_wrmsr", "syscall_int80", "pagefault", "hlt_timer");
        /** auto: a loop must last this long to count as stable. */
        static final long STABLE_NANOS = 50_000_000L;
        private static final long HLT_CAP = 2000, START = 1000;

        @Override
        public Integer call() throws IOException {
            for (String m : modes) {
                if (m.equals("para")) {
                    throw new Main.UserError("--modes: para runs only guests built for it, and bench traps runs the unmodified trapbench (use emulate, full)");
                }
                if (!MODES.contains(m)) throw new Main.UserError("--modes: '" + m + "' is not available (available: " + String.join(", ", MODES) + ")");
            }
            long fixed = 0;
            if (!iterationsOption.equals("auto")) {
                try {
                    fixed = Long.parseLong(iterationsOption);
                } catch (NumberFormatException e) {
                    fixed = -1;
                }
                if (fixed < 1 || fixed > 1_000_000_000) throw new Main.UserError("--iterations: must be 1 to 1000000000, or auto");
            }
            if (runs < 1 || runs > 100) throw new Main.UserError("--runs: must be 1 to 100");
            if (!clockOption.equals("host") && !clockOption.equals("cpu")) {
                throw new Main.UserError("--clock: '" + clockOption + "' is not a clock (host or cpu)");
            }
            List<String> chosen = classes == null ? CLASSES : classes;
            for (String c : chosen) {
                if (!CLASSES.contains(c)) throw new Main.UserError("--classes: '" + c + "' is not a class (one of: " + String.join(", ", CLASSES) + ")");
            }
            Path image = BootCommand.resolveImage("trapbench");
            List<Measurement> cells = new ArrayList<>();
            Map<String, Map<String, Long>> count = new LinkedHashMap<>();
            for (String mode : modes) {
                // Warm up first (class loading, JIT compilation of the trap paths), or a cold first loop looks long
                // enough and stops the calibration early.
                if (fixed == 0) for (String c : chosen) runClass(image, mode, c, START, new LinkedHashMap<>());
                Map<String, Long> n = new LinkedHashMap<>();
                for (String c : chosen) n.put(c, fixed > 0 ? fixed : calibrate(image, mode, c));
                count.put(mode, n);
            }
            // Runs outermost and the modes interleaved within each, so that a drift of the host (frequency, other
            // load) over the benchmark's minutes weighs on every mode alike.
            Map<String, Map<String, List<Measurement.Run>>> byClass = new LinkedHashMap<>();
            Map<String, Map<String, Long>> iterationsOf = new LinkedHashMap<>();
            for (int r = 0; r < runs; r++) {
                for (String mode : modes) {
                    System.err.printf("popek: trapbench, %s mode, run %d of %d%n", mode, r + 1, runs);
                    for (String c : chosen) {
                        Measurement.Run m = runClass(image, mode, c, count.get(mode).get(c),
                                iterationsOf.computeIfAbsent(mode, k -> new LinkedHashMap<>()));
                        byClass.computeIfAbsent(mode, k -> new LinkedHashMap<>()).computeIfAbsent(c, k -> new ArrayList<>()).add(m);
                    }
                }
            }
            for (String mode : modes) {
                for (var e : byClass.get(mode).entrySet()) {
                    cells.add(Measurement.fromRuns(e.getKey(), mode, iterationsOf.get(mode).get(e.getKey()), e.getValue()));
                }
            }
            BenchResult result = new BenchResult(modes, cells);
            String how = fixed > 0 ? fixed + " iterations" : "iterations grown until each loop lasts " + STABLE_NANOS / 1_000_000 + " ms";
            System.out.print(new BenchTable(result).render("Trap cost by instruction class (trapbench, " + how + ")"));
            writeFiles(out, "traps", result, "instruction class", "Popek: cost of each class of sensitive instruction");
            return 0;
        }

        /** The iteration count at which one loop of class {@code c} lasts at least {@link #STABLE_NANOS}. */
        private long calibrate(Path image, String mode, String c) {
            long cap = c.equals("hlt_timer") ? HLT_CAP : 1_000_000_000L;
            long n = Math.min(START, cap);
            Map<String, Long> ignored = new LinkedHashMap<>();
            for (;;) {
                long elapsed = runClass(image, mode, c, n, ignored).elapsedNanos();
                if (elapsed >= STABLE_NANOS || n >= cap) return n;
                // Aim past the target, at least doubling and at most a hundredfold per step.
                double factor = Math.max(2, Math.min(100, 1.5 * STABLE_NANOS / Math.max(1, elapsed)));
                n = Math.min(cap, (long) Math.ceil(n * factor));
            }
        }

        /** Boots trapbench for one class; returns its loop's measurement (and records the count it ran). */
        private Measurement.Run runClass(Path image, String mode, String c, long n, Map<String, Long> iterationsOf) {
            ByteArrayOutputStream serial = new ByteArrayOutputStream();
            int id = CLASSES.indexOf(c);
            try (Machine m = new MachineBuilder().memory(64L << 20).serialOutput(serial).benchMarker(true)
                    .mode(ExecutionMode.byLabel(mode))
                    .clock(clockOption.equals("cpu") ? VirtualClock.cpuTime() : VirtualClock.host())
                    .timeoutNanos(600_000_000_000L).multiboot(image, "iterations=" + n + " only=" + c).build()) {
                StopReason stop = m.run();
                String text = serial.toString(StandardCharsets.US_ASCII);
                if (stop.exitCode() != 33) {
                    throw new Main.UserError("trapbench did not pass (" + stop.message() + "); it printed: "
                            + text.strip().replace('\n', '|'), StopReason.Cause.INTERNAL_ERROR.exitCode());
                }
                BenchMarker marks = m.benchMarker();
                for (String line : text.lines().toList()) {
                    Matcher x = CLASS_LINE.matcher(line);
                    if (!x.matches() || !x.group(1).equals(c)) continue;
                    if (!marks.complete(id)) throw new Main.UserError("trapbench did not mark loop " + c, StopReason.Cause.INTERNAL_ERROR.exitCode());
                    iterationsOf.put(c, Long.parseLong(x.group(2)));
                    return new Measurement.Run(marks.elapsedNanos(id), marks.traps(id), marks.exits(id));
                }
                throw new Main.UserError("trapbench did not run " + c + "; it printed: " + text.strip().replace('\n', '|'),
                        StopReason.Cause.INTERNAL_ERROR.exitCode());
            } catch (BootImageException e) {
                throw new Main.UserError(e.getMessage());
            }
        }
    }
}
