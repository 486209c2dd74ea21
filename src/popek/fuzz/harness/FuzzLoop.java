package popek.fuzz.harness;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The loop every command-line fuzz target shares: make case after case of a seed (each in a fresh directory), run it
 * in-process through {@link CliRun}, hold it to the {@link Verdict}, to the target's own check and to "no file but the
 * writable disks touched", count the outcomes by exit code, and keep every failure in the corpus.
 */
public final class FuzzLoop {
    /**
     * Cases [first, first + cases) of {@code seed}, or as many from {@code first} as {@code seconds} allow (when not
     * 0); failures kept under {@code corpus} (null: not kept).
     */
    public record Options(String target, long seed, int first, int cases, long seconds, Path corpus, boolean verbose) { }

    /** Makes case {@code index} of {@code seed}: its files written into {@code dir}. */
    @FunctionalInterface
    public interface Generator {
        FuzzCase generate(long seed, int index, Path dir) throws IOException;
    }

    /** What a run found. {@code peakRss}: the largest resident set seen after a case, in bytes (-1: unknown). */
    public record Summary(String target, int cases, double seconds, SortedMap<Integer, Integer> byExit, int failures,
                          int newEntries, long peakRss) {
        public boolean failed() { return failures > 0; }

        public String line() {
            StringBuilder s = new StringBuilder(String.format("%s: %d cases in %.1f s (%.1f cases/s); exit codes:", target, cases,
                    seconds, seconds > 0 ? cases / seconds : 0));
            if (byExit.isEmpty()) s.append(" none");
            String sep = " ";
            for (Map.Entry<Integer, Integer> e : byExit.entrySet()) {
                s.append(sep).append(e.getKey() < 0 ? "none (hung)" : e.getKey()).append(" x").append(e.getValue());
                sep = ", ";
            }
            s.append(String.format("; %d failure%s, %d new corpus entr%s", failures, failures == 1 ? "" : "s", newEntries,
                    newEntries == 1 ? "y" : "ies"));
            if (peakRss > 0) s.append(String.format("; peak RSS %d MiB", peakRss >> 20));
            return s.toString();
        }
    }

    /** A file a guest may create in its case's directory: --screen-dump's. */
    public static final String SCREEN_DUMP = "screen.txt";

    private final Options options;
    private final Generator generator;

    public FuzzLoop(Options options, Generator generator) {
        this.options = options;
        this.generator = generator;
    }

    public Summary run(CliRun.Launcher launcher, PrintWriter out) throws IOException {
        long began = System.nanoTime();
        long deadline = options.seconds() > 0 ? began + options.seconds() * 1_000_000_000L : Long.MAX_VALUE;
        SortedMap<Integer, Integer> byExit = new TreeMap<>();
        int cases = 0, failures = 0, kept = 0;
        long peakRss = -1;
        Path work = Files.createTempDirectory("popek-fuzz-" + options.target() + "-");
        try (CliRun cli = new CliRun(launcher)) {
            for (int i = 0; options.seconds() > 0 ? System.nanoTime() < deadline : i < options.cases(); i++) {
                int index = options.first() + i;
                Path dir = Files.createDirectory(work.resolve("case-" + index));
                FuzzCase c = generator.generate(options.seed(), index, dir);
                Map<Path, byte[]> before = Snapshot.of(dir);
                CliRun.Result r = cli.run(c.args().toArray(String[]::new), c.limitNanos());
                cases++;
                byExit.merge(r.hung() ? -1 : r.code(), 1, Integer::sum);
                String problem = Verdict.problem(c.args(), r, c.inputBytes());
                if (problem == null && !r.hung()) problem = Snapshot.problem(before, dir);
                if (problem == null && !r.hung()) problem = c.check().problem(dir, r);
                if (problem == null && c.differential() != null) {
                    problem = differ(cli, c, r, before);
                    if (problem != null && problem.startsWith(HUNG)) r = new CliRun.Result(-1, "", true, 0, -1, null);
                }
                peakRss = Math.max(peakRss, CliRun.residentBytes());
                if (options.verbose()) {
                    out.printf("case %d (%s): exit %d in %.2f s, %d KiB heap: %s%n", index, c.name(), r.code(), r.seconds(),
                            r.heapBytes() >> 10, r.stderr().strip().replace('\n', '|'));
                }
                if (problem != null) {
                    failures++;
                    Path entry = options.corpus() == null ? null : Corpus.save(options.corpus().resolve(options.target()),
                            Snapshot.restore(before, c));
                    if (entry != null) kept++;
                    out.printf("FAILED: case %d of seed %d (%s): %s%n  popek %s%n  %s%n", index, options.seed(), c.name(), problem,
                            String.join(" ", c.args().stream().map(FuzzLoop::quote).toList()),
                            entry != null ? "kept as " + entry : "again: popek fuzz --target " + options.target() + " --seed "
                                    + options.seed() + " --first " + index + " --cases 1");
                    out.flush();
                    if (r.hung()) {
                        out.println("stopping: a hung command's thread cannot be reclaimed");
                        break;
                    }
                }
                deleteTree(dir);
                if (cases % 500 == 0) {
                    out.println(new Summary(options.target(), cases, (System.nanoTime() - began) / 1e9, byExit, failures, kept,
                            peakRss).line() + " (so far)");
                    out.flush();
                }
            }
        } finally {
            deleteTree(work);
        }
        return new Summary(options.target(), cases, (System.nanoTime() - began) / 1e9, byExit, failures, kept, peakRss);
    }

    private static final String HUNG = "hung: ";

    /**
     * A differential case's other runs, each held to the same promises as the first, then compared; when they disagree
     * and one ran out of time, all run again (the files as they were) with more. Null when all is well.
     */
    static String differ(CliRun cli, FuzzCase c, CliRun.Result first, Map<Path, byte[]> before) {
        FuzzCase.Differential d = c.differential();
        java.util.List<CliRun.Result> results = new java.util.ArrayList<>(java.util.List.of(first));
        for (java.util.List<String> args : d.others()) {
            CliRun.Result r = cli.run(args.toArray(String[]::new), c.limitNanos());
            String problem = Verdict.problem(args, r, c.inputBytes());
            if (problem == null) problem = Snapshot.problem(before, c.dir());
            if (problem == null) problem = c.check().problem(c.dir(), r);
            if (problem != null) return (r.hung() ? HUNG : "") + "run " + String.join(" ", args) + ": " + problem;
            results.add(r);
        }
        String problem = d.comparison().problem(results);
        if (problem == null || results.stream().noneMatch(r -> r.code() == popek.cpu.StopReason.Cause.TIMEOUT.exitCode())) {
            return problem;
        }
        Snapshot.restore(before, c);
        results.clear();
        for (java.util.List<String> args : d.patient()) {
            CliRun.Result r = cli.run(args.toArray(String[]::new), c.limitNanos() * 8);
            if (r.hung()) return HUNG + "run " + String.join(" ", args) + " with more time";
            results.add(r);
        }
        problem = d.comparison().problem(results);
        return problem == null ? null : problem + " (and again with 8 times the --timeout)";
    }

    private static String quote(String a) {
        return a.isEmpty() || a.chars().anyMatch(ch -> ch <= ' ' || ch == '"' || ch == '\'' || ch > 126)
                ? "'" + a.replace("'", "'\\''") + "'" : a;
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
