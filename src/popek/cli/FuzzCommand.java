package popek.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import popek.cpu.ExecutionMode;
import popek.fuzz.CpuDifferential;

/** {@code popek fuzz}: generated inputs against an oracle: cpu and code compare full mode with emulate mode; images and devices hold boots to the promises. */
@Command(name = "fuzz", mixinStandardHelpOptions = true,
        description = {"Runs generated test cases and compares each against an oracle.",
            "Target cpu (the default): random kernel code (every class of sensitive instruction, segment loads, far "
                + "transfers, int/iret, ring 3, real mode, paging, self-modifying code, faults) runs once in each mode "
                + "of --mode-pair from the same state; the final registers, segments, control registers, event log and "
                + "RAM must agree. A difference Unicorn is known to cause is reported as explained, with its rule; any "
                + "other is shrunk and printed as a reproducer.",
            "Exit status: 0 when every case agreed or was explained, 1 when any diverged, 2 for a usage error."})
public final class FuzzCommand implements Callable<Integer> {
    @Option(names = "--target", paramLabel = "cpu|code|images|devices|syscalls", defaultValue = "cpu",
            description = {"What to fuzz (default: ${DEFAULT-VALUE}). images: mutated boot images (ELF, Multiboot a.out kludge, "
                + "bzImage, boot sector; seeded from the built guests) and option values, each booted as a user would; "
                + "devices: random port and MMIO sequences against every device model, and random hypercalls and ring "
                + "contents in para mode; code: whole boots of random code (Multiboot kernels after random or valid descriptor "
                + "tables, paging and ring 3, and boot sectors) in emulate and full mode, whose exit, output, stop EIP and "
                + "disks must agree, and random para kernels; syscalls: containers whose program makes thousands of random "
                + "system calls (random numbers, integers, descriptors, pointers good and bad, paths that try to leave the "
                + "root), which must read nothing outside the root and change no host file. Each holds every run to the exit codes and one-line errors the README promises, "
                + "to --timeout, to a heap bound, and (devices) to disks written only where the guest wrote; "
                + "failures are kept under --corpus."})
    String target;

    @Option(names = "--corpus", paramLabel = "DIR", description = "code, images, devices: where failures are kept, as DIR/TARGET/NAME "
            + "(default: tests/corpus of the source tree).")
    java.nio.file.Path corpus;

    @Option(names = "--cases", paramLabel = "N", description = "How many cases (default: ${DEFAULT-VALUE}).", defaultValue = "1000")
    int cases;

    @Option(names = "--seed", paramLabel = "S", description = "The seed; case i of seed S is always the same case (default: ${DEFAULT-VALUE}).",
            defaultValue = "1")
    long seed;

    @Option(names = "--case", paramLabel = "I", description = "Run only case I of the seed (what a reproducer says to rerun).")
    Integer only;

    @Option(names = "--first", paramLabel = "I", description = "Start at case I of the seed (default: ${DEFAULT-VALUE}).",
            defaultValue = "0")
    int firstCase;

    @Option(names = "--mode-pair", paramLabel = "ORACLE,TESTED", description = "The oracle mode and the mode tested (default: ${DEFAULT-VALUE}).",
            defaultValue = "emulate,full")
    String modePair;

    @Option(names = "--jobs", paramLabel = "J", description = "Cases run at once (default: the number of CPUs).")
    Integer jobs;

    @Option(names = "--case-timeout", paramLabel = "DURATION", description = "Each run's time limit; a run that alone ran out "
            + "of time runs again with 8 times as much (default: ${DEFAULT-VALUE}).",
            defaultValue = "500ms", converter = BootCommand.DurationConverter.class)
    long timeout;

    @Option(names = "--seconds", paramLabel = "S", description = "Run cases for S seconds instead of a number of them.")
    Long seconds;

    @Option(names = "--shrink-tries", paramLabel = "N", description = "Runs of both modes a divergence is shrunk with (default: ${DEFAULT-VALUE}; 0: print it whole).",
            defaultValue = "" + popek.fuzz.CpuDifferential.SHRINK_TRIES)
    int shrinkTries;

    @Option(names = {"-v", "--verbose"}, description = "Print every case's outcome and each explanation.")
    boolean verbose;

    @picocli.CommandLine.ParentCommand Main parent;

    @Override
    public Integer call() throws Exception {
        if (List.of("images", "devices", "code", "syscalls").contains(target)) return CliTargets.run(this);
        if (!"cpu".equals(target)) {
            throw new Main.UserError("--target " + target + ": use cpu, code, images, devices or syscalls");
        }
        String[] pair = modePair.split(",", -1);
        if (pair.length != 2) throw new Main.UserError("--mode-pair " + modePair + ": give two modes, e.g. emulate,full");
        ExecutionMode oracle = mode(pair[0]), tested = mode(pair[1]);
        if (oracle == tested) throw new Main.UserError("--mode-pair " + modePair + ": the two modes must differ");
        if (cases < 1) throw new Main.UserError("--cases " + cases + ": at least 1");
        if (jobs != null && jobs < 1) throw new Main.UserError("--jobs " + jobs + ": at least 1");
        if (timeout <= 0) throw new Main.UserError("--case-timeout: give a limit, e.g. 5s");
        int first = only != null ? only : firstCase, count = only != null ? 1 : cases;
        if (first < 0) throw new Main.UserError("--case " + first + ": not negative");
        if (seconds != null && (seconds < 1 || only != null)) throw new Main.UserError("--seconds: at least 1, and not with --case");
        if (shrinkTries < 0) throw new Main.UserError("--shrink-tries " + shrinkTries + ": not negative");
        var options = new CpuDifferential.Options(seed, first, count, seconds != null ? seconds : 0, oracle, tested, timeout,
                jobs != null ? jobs : Runtime.getRuntime().availableProcessors(), shrinkTries, verbose || only != null);
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(parent.terminal().out(),
                java.nio.charset.StandardCharsets.UTF_8), true);
        CpuDifferential.Summary summary = new CpuDifferential(options).run(out);
        out.println(summary.line());
        return summary.failed() ? 1 : 0;
    }

    private static ExecutionMode mode(String name) {
        ExecutionMode m = ExecutionMode.byLabel(name.trim());
        if (m == null || m == ExecutionMode.PARA) {
            throw new Main.UserError("--mode-pair: '" + name + "' is not a mode the cpu target runs (emulate or full)");
        }
        return m;
    }
}
