package popek.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same lines of shell run two ways over one root directory: in Popek ({@code popek run} over the directory), and
 * under QEMU's user-mode emulator (qemu-i386-static, Debian's qemu-user-static) chrooted into a copy of it. This host
 * runs no i386 program itself (no IA32 emulation, no binfmt_misc), so under QEMU every command of a line is its own
 * qemu-i386 process (the host's sh makes the pipes between them) and nothing may exec; a line is thus a pipeline of
 * plain commands whose files are named relative to the root. Each line's output (stdout and stderr) is followed by
 * "== STATUS". Run Popek first: QEMU's commands change the directory itself. Needs root (chroot) and
 * qemu-i386-static; the test is skipped, saying why, without them.
 */
final class ChrootOracle {
    private static final Path QEMU = Path.of("/usr/bin/qemu-i386-static");
    /** ls -l's dates ("Jun 10  2023", "Dec  7 19:31"), stat's full ones and tar's, which differ by when each side ran. */
    private static final Pattern DATES = Pattern.compile("[A-Z][a-z]{2} [ 0-9]\\d ( \\d{4}|\\d\\d:\\d\\d)"
            + "|\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d(:\\d\\d\\.\\d{9} [+-]\\d{4})?");

    private final Path root;
    private final String prefix;

    /** A copy of {@code layers} merged (the lowest first) into a directory under {@code dir}. */
    ChrootOracle(List<Path> layers, Path dir, String prefix) throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(QEMU), "qemu-i386-static is not installed (Debian: apt-get install qemu-user-static): no oracle");
        assumeTrue("root".equals(System.getProperty("user.name")), "the oracle chroots into the image, which needs root");
        this.root = dir.resolve("root");
        this.prefix = prefix;
        Files.createDirectories(root);
        for (int i = layers.size() - 1; i >= 0; i--) run(List.of("cp", "-a", layers.get(i) + "/.", root + "/"));
        Files.copy(QEMU, root.resolve(".qemu-i386"));
        Files.createDirectories(root.resolve("w"));
    }

    Path root() { return root; }

    /** The built-in image's layers, or the test is skipped saying why it cannot be had. */
    static List<Path> image(String name) {
        try {
            return Images.layers(name, new PrintStream(OutputStreamNull.INSTANCE));
        } catch (Images.ImageException e) {
            abort("the " + name + " image cannot be built here: " + e.getMessage());
            return null;
        }
    }

    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) { }
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("did not finish in 60 s: " + cmd);
        }
        return out;
    }

    /** Each line under QEMU: its commands each a chrooted qemu-i386 process ({@code prefix} + the command). */
    String underQemu(List<String> lines) throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        for (String line : lines) {
            List<String> parts = new ArrayList<>();
            for (String cmd : line.split(" \\| ")) parts.add("chroot " + root + " /.qemu-i386 " + prefix + cmd + " 2>&1");
            String host = String.join(" | ", parts) + "; echo \"== $?\"";
            out.append(run(List.of("sh", "-c", host)));
        }
        return normalise(out.toString());
    }

    /** All the lines in one shell in Popek, over the same root directory (read-only under Popek's upper layer). */
    String inPopek(String shell, List<String> lines) {
        StringBuilder script = new StringBuilder("cd /\n");
        for (String line : lines) {
            List<String> parts = new ArrayList<>();
            for (String cmd : line.split(" \\| ")) parts.add(prefix + cmd + " 2>&1");
            script.append(String.join(" | ", parts)).append("; echo \"== $?\"\n");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(List.of(root), List.of(shell, "-c", script.toString()), List.of(), "/", 0, 0,
                false, false, false, 256L << 20);
        int status = new Container(c, new Stdio(InputStream.nullInputStream(), out, err), new PrintStream(err, true)).run();
        if (status != 0) throw new AssertionError("the script's shell exited " + status + ": " + err.toString(StandardCharsets.UTF_8));
        return normalise(out.toString(StandardCharsets.UTF_8));
    }

    static String normalise(String s) { return DATES.matcher(s).replaceAll("DATE"); }
}
