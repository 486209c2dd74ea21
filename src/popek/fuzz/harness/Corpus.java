package popek.fuzz.harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Inputs that once failed, kept under {@code tests/corpus/TARGET/NAME/}: the files of the case and {@code args}, its
 * command line one argument a line with {@code {dir}} standing for the entry's directory. A file named
 * {@code X.orig} is the pristine copy of {@code X}, restored before each replay (a disk the guest writes to).
 */
public final class Corpus {
    /** Entries larger than this are not kept (the report says how to generate the case again instead). */
    public static final long MAX_ENTRY_BYTES = 256 << 10;
    private static final String DIR = "{dir}";

    private Corpus() {}

    /**
     * Saves a failed case as an entry; returns its directory, or null when it is too big to keep or is a tree (a
     * container's root: the seed and index make it again).
     */
    public static Path save(Path root, FuzzCase c) {
        try {
            try (Stream<Path> s = Files.list(c.dir())) {
                if (s.anyMatch(Files::isDirectory)) return null;
            }
            long size = 0;
            List<Path> files;
            try (Stream<Path> s = Files.list(c.dir())) {
                files = s.filter(Files::isRegularFile).filter(f -> !isRestoredCopy(c.dir(), f)).toList();
            }
            for (Path f : files) size += Files.size(f);
            if (size > MAX_ENTRY_BYTES) return null;
            Path entry = root.resolve(c.name());
            Files.createDirectories(entry);
            for (Path f : files) Files.copy(f, entry.resolve(f.getFileName().toString()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String prefix = c.dir().toAbsolutePath().toString();
            List<String> lines = c.args().stream().map(a -> a.replace(prefix, DIR)).toList();
            Files.write(entry.resolve("args"), lines);
            return entry;
        } catch (IOException e) {
            throw new UncheckedIOException("could not save the corpus entry " + c.name(), e);
        }
    }

    /** A file the replay recreates from its .orig copy: not kept. */
    private static boolean isRestoredCopy(Path dir, Path f) {
        return Files.exists(dir.resolve(f.getFileName() + ".orig"));
    }

    /** The entries under {@code root} (none when it does not exist), sorted by name. */
    public static List<Path> entries(Path root) {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> Files.isRegularFile(p.resolve("args"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies {@code entry} into {@code work} (the pristine copies restored) and returns its command line there. */
    public static List<String> prepare(Path entry, Path work) {
        try {
            Files.createDirectories(work);
            List<String> args = new ArrayList<>();
            try (Stream<Path> s = Files.list(entry)) {
                for (Path f : s.toList()) {
                    String n = f.getFileName().toString();
                    if (n.equals("args")) continue;
                    Files.copy(f, work.resolve(n), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    if (n.endsWith(".orig")) {
                        Files.copy(f, work.resolve(n.substring(0, n.length() - 5)), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            String dir = work.toAbsolutePath().toString();
            for (String a : Files.readAllLines(entry.resolve("args"))) args.add(a.replace(DIR, dir));
            return args;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the entry again in {@code work} and holds it to the {@link Verdict}, to "no file but the disks touched" and
     * to {@code check}: null when it now passes, else what is still wrong.
     */
    public static String replay(Path entry, Path work, CliRun cli, FuzzCase.Check check, long limitNanos) {
        return replay(entry, work, cli, check, limitNanos, null);
    }

    /**
     * The same, for a differential target: {@code differential} makes, from the entry's command line, the other runs
     * it is compared with (null: none).
     */
    public static String replay(Path entry, Path work, CliRun cli, FuzzCase.Check check, long limitNanos,
                                java.util.function.Function<List<String>, FuzzCase.Differential> differential) {
        List<String> args = prepare(entry, work);
        var before = Snapshot.of(work);
        long input = 0;
        for (byte[] b : before.values()) input += b.length;
        for (String a : args) input += 8L * a.length();
        CliRun.Result r = cli.run(args.toArray(String[]::new), limitNanos);
        String problem = Verdict.problem(args, r, input);
        if (problem == null) problem = Snapshot.problem(before, work);
        if (problem == null) problem = check.problem(work, r);
        if (problem == null && differential != null) {
            FuzzCase c = new FuzzCase(entry.getFileName().toString(), work, args, input, limitNanos, check, differential.apply(args));
            problem = FuzzLoop.differ(cli, c, r, before);
        }
        return problem;
    }
}
