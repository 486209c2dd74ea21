package popek.fuzz.syscalls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import popek.fuzz.harness.FuzzCase;
import popek.fuzz.harness.FuzzLoop;

/**
 * The {@code syscalls} target's cases: a container ({@code popek run --rootfs}) whose program is {@code sysfuzz}
 * (guest-images/linux/sysfuzz.c), making a few thousand random system calls from a seed of the case's own. Its root
 * holds a few files and links that point out of it (relative, absolute, a loop), and next to the root lies a
 * directory with a marked file: the program reports reading the mark (exit 99, "ESCAPE"), and afterwards neither the
 * root nor that directory may have changed in any byte (the container writes to a layer of its own).
 */
public final class SyscallCases implements FuzzLoop.Generator {
    /** Calls per case, and how long past the program's own two-second alarm no answer is a hang. */
    static final int CALLS = 2000;
    static final long LIMIT_NANOS = 40_000_000_000L;
    static final String MARK = "POPEK-SECRET-OUTSIDE\n";
    private final Path program;

    /** {@code program}: the built sysfuzz. */
    public SyscallCases(Path program) { this.program = program; }

    @Override
    public FuzzCase generate(long seed, int index, Path dir) throws IOException {
        long programSeed = new Random(seed * 0x9E3779B97F4A7C15L + index).nextInt() & 0x7FFFFFFFL;
        Path root = Files.createDirectories(dir.resolve("root")), outside = Files.createDirectories(dir.resolve("outside"));
        for (String d : List.of("etc", "tmp", "d", "proc", "dev", "sys")) Files.createDirectories(root.resolve(d));
        Files.copy(program, root.resolve("sysfuzz"));
        root.resolve("sysfuzz").toFile().setExecutable(true);
        Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/:/bin/sh\n");
        Files.writeString(root.resolve("tmp/f"), "a file of the image\n");
        Files.createSymbolicLink(root.resolve("up"), Path.of("../outside"));
        Files.createSymbolicLink(root.resolve("abs"), Path.of("/../outside/secret.txt"));
        Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        Files.writeString(outside.resolve("secret.txt"), MARK);
        String before = digest(dir);
        List<String> args = List.of("run", "--rootfs", root.toString(), "/sysfuzz", Long.toString(programSeed), Integer.toString(CALLS));
        return new FuzzCase("sysfuzz-" + seed + "-" + index, dir, args, Files.size(program), LIMIT_NANOS,
                (d, r) -> problem(d, r, before));
    }

    /** Null when the program read nothing outside and nothing under the case's directory changed. */
    static String problem(Path dir, popek.fuzz.harness.CliRun.Result r, String before) {
        if (r.stdout().contains("ESCAPE")) return r.stdout().strip();
        if (r.code() == 99) return "exit 99 (sysfuzz's escape) without its report";
        String after = digest(dir);
        return after.equals(before) ? null : "a file under the case's directory changed (the root or the one outside)";
    }

    /** A digest of every name, link target and file's bytes under {@code dir}. */
    static String digest(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path p : s.sorted().toList()) {
                md.update(dir.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                if (Files.isSymbolicLink(p)) md.update(Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8));
                else if (Files.isRegularFile(p)) md.update(Files.readAllBytes(p));
                md.update((byte) 0);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
