package popek.linux;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Images;
import popek.container.Stdio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The differential test against a Linux system-call layer written by others: a busybox sh script of some 90 commands
 * (tests/fixtures/linux/busybox-differential.sh: the shell's syntax, pipelines, subshells, jobs, traps, and the text
 * tools) runs in a Popek container over the busybox image, and under qemu-i386 in a chroot of a copy of the same root
 * (binfmt_misc runs each i386 program of the pipeline through qemu-user, as the README's Containers section says how to
 * set up). Standard output and exit status must be the same. Skipped, saying why, where the image cannot be fetched,
 * qemu-i386 is not registered with binfmt_misc, or chroot is not allowed.
 */
class BusyboxDifferentialTest {
    @TempDir static Path dir;
    static Path root;

    @BeforeAll
    static void prepare() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-i386")),
                "qemu-i386 is not registered with binfmt_misc (see the README's Containers section): no oracle for whole shells");
        List<Path> layers;
        try {
            layers = Images.layers("busybox", new PrintStream(OutputStreamNull.INSTANCE));
        } catch (Images.ImageException e) {
            assumeTrue(false, "the busybox image is not available here: " + e.getMessage());
            return;
        }
        root = dir.resolve("root");
        for (int i = layers.size() - 1; i >= 0; i--) copyTree(layers.get(i), root);   // merged, the lowest first
        for (String[] dev : List.of(new String[] {"null", "3"}, new String[] {"zero", "5"}, new String[] {"urandom", "9"})) {
            run(List.of("mknod", "-m", "666", root.resolve("dev/" + dev[0]).toString(), "c", "1", dev[1]));
        }
        Files.copy(Path.of(BusyboxDifferentialTest.class.getResource("/fixtures/linux/busybox-differential.sh").toURI()),
                root.resolve("diff.sh"));
        assumeTrue(run(List.of("chroot", root.toString(), "/bin/true")) == 0, "chroot is not allowed here (needs root)");
    }

    @Test
    void theScriptPrintsTheSameUnderPopekAndQemuUser() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(List.of(root), List.of("/bin/sh", "/diff.sh"), List.of(), "/", 0, 0, false, false, false,
                ContainerConfig.DEFAULT_MEMORY);
        int popekStatus = new Container(c, new Stdio(InputStream.nullInputStream(), out, err), new PrintStream(err, true)).run();

        ProcessBuilder pb = new ProcessBuilder("chroot", root.toString(), "/bin/sh", "/diff.sh").redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().put("PATH", ContainerConfig.DEFAULT_PATH.substring(5));
        pb.environment().put("HOSTNAME", "popek");
        pb.environment().put("HOME", "/root");
        Process p = pb.start();
        byte[] qout = p.getInputStream().readAllBytes();
        p.getErrorStream().readAllBytes();
        assumeTrue(p.waitFor(120, TimeUnit.SECONDS), "qemu-user did not finish the script in 120 s");
        String expected = new String(qout, StandardCharsets.UTF_8), actual = out.toString(StandardCharsets.UTF_8);
        assertEquals(expected, actual, "stderr under Popek:\n" + err.toString(StandardCharsets.UTF_8));
        assertEquals(p.exitValue(), popekStatus);
        assertEquals(true, actual.lines().count() > 100, "the script printed too little: " + actual);
    }

    private static int run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -1;
        }
        return p.exitValue();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path src : s.toList()) {
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isSymbolicLink(src)) {
                    Files.deleteIfExists(dst);
                    Files.createSymbolicLink(dst, Files.readSymbolicLink(src));
                } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.COPY_ATTRIBUTES, StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
                }
            }
        }
    }

    /** Discards the image build's progress lines. */
    private static final class OutputStreamNull extends java.io.OutputStream {
        static final OutputStreamNull INSTANCE = new OutputStreamNull();

        @Override
        public void write(int b) { }
    }
}
