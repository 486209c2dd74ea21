package popek.cli;

import java.io.PrintWriter;
import java.nio.file.Path;

import popek.fuzz.devices.DeviceCases;
import popek.fuzz.harness.FuzzLoop;
import popek.fuzz.images.ImageCases;
import popek.fuzz.images.Seed;

/** {@code popek fuzz --target images|devices|code|syscalls}: command lines run in-process as a user would run them (popek.fuzz.harness). */
final class CliTargets {
    private CliTargets() {}

    static int run(FuzzCommand c) throws Exception {
        if (c.cases < 1) throw new Main.UserError("--cases " + c.cases + ": at least 1");
        if (c.seconds != null && c.seconds < 1) throw new Main.UserError("--seconds: at least 1");
        if (c.only != null) throw new Main.UserError("--case is the cpu target's; use --first I --cases 1");
        if (c.firstCase < 0) throw new Main.UserError("--first " + c.firstCase + ": not negative");
        FuzzLoop.Generator generator;
        if (c.target.equals("images")) {
            var seeds = Seed.load(Seed.defaultDirs());
            if (seeds.isEmpty()) throw new Main.UserError("no seed images: build the guests first (./popek boot hello builds them)");
            generator = new ImageCases(seeds);
        } else if (c.target.equals("code")) {
            generator = new popek.fuzz.code.CodeCases();
        } else if (c.target.equals("syscalls")) {
            generator = new popek.fuzz.syscalls.SyscallCases(shippedProgram("sysfuzz"));
        } else {
            generator = new DeviceCases();
        }
        Path corpus = c.corpus != null ? c.corpus : defaultCorpus();
        var options = new FuzzLoop.Options(c.target, c.seed, c.firstCase, c.cases, c.seconds != null ? c.seconds : 0, corpus, c.verbose);
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(c.parent.terminal().out(),
                java.nio.charset.StandardCharsets.UTF_8), true);
        FuzzLoop.Summary summary = new FuzzLoop(options, generator)
                .run((args, err, guestOut) -> Main.execute(args, err, Terminal.capturing(guestOut)), out);
        out.println(summary.line());
        return summary.failed() ? 1 : 0;
    }

    /** A Linux program the build ships (target/guest-images/linux/NAME). */
    static Path shippedProgram(String name) {
        String dir = System.getProperty("popek.guestImages");
        Path p = dir == null ? null : Path.of(dir, "linux", name);
        if (p == null || !java.nio.file.Files.isRegularFile(p)) {
            throw new Main.UserError("the " + name + " program is not built (run ./popek through its launcher)",
                    popek.cpu.StopReason.Cause.INTERNAL_ERROR.exitCode());
        }
        return p;
    }

    /** tests/corpus of the source tree the launcher runs from (popek.home), else of the working directory. */
    private static Path defaultCorpus() {
        String home = System.getProperty("popek.home");
        return (home != null ? Path.of(home) : Path.of("")).resolve("tests").resolve("corpus");
    }
}
