package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.linux.LinuxRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code popek run}: the command's output and exit status come through; user mistakes are one line and Docker's 125-127. */
class RunCommandTest {
    @TempDir Path dir;

    private record Outcome(int code, String out, String err) { }

    private Outcome popek(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintWriter(err, true), new Terminal(InputStream.nullInputStream(), out));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private static void assertOneLine(Outcome o, int code, String containing) {
        assertEquals(code, o.code, o.err);
        assertEquals(1, o.err.lines().count(), "one line: " + o.err);
        assertTrue(o.err.startsWith("popek: "), o.err);
        assertTrue(o.err.contains(containing), o.err);
        assertFalse(o.err.contains("Exception") || o.err.contains("\tat "), o.err);
    }

    private Path root() throws Exception {
        Path to = dir.resolve("hello");
        if (Files.exists(to)) return dir;
        Files.copy(LinuxRun.programs().resolve("hello"), to);
        Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    @Test
    void theCommandsOutputAndExitStatusComeBack() throws Exception {
        Outcome o = popek("run", "--rm", "-e", "GREETING=hi there", "--rootfs", root().toString(), "/hello", "fail");
        assertEquals(3, o.code, o.err);
        assertTrue(o.out.contains("argv[1]=fail\n"), o.out);
        assertTrue(o.out.contains("env GREETING=hi there\n"), o.out);
    }

    @Test
    void aCommandIsFoundInPath() throws Exception {
        Files.createDirectories(dir.resolve("bin"));
        root();
        Files.move(dir.resolve("hello"), dir.resolve("bin/hello"));
        Outcome o = popek("run", "--rootfs", dir.toString(), "hello");
        assertEquals(0, o.code, o.err);
        assertTrue(o.out.contains("argv[0]=hello\n"), o.out);
    }

    @Test
    void userMistakesAreOneLine() throws Exception {
        assertOneLine(popek("run"), 125, "which image?");
        assertOneLine(popek("run", "nosuchimage", "sh"), 125, "no image named 'nosuchimage'");
        assertOneLine(popek("run", "--rootfs", dir.resolve("missing").toString(), "sh"), 125, "not a directory");
        assertOneLine(popek("run", "--rootfs", root().toString(), "--user", "bob", "/hello"), 125, "numeric UID");
        assertOneLine(popek("run", "--rootfs", root().toString(), "-e", "=x", "/hello"), 125, "KEY=VALUE");
    }

    @Test
    void aCommandThatCannotRunIsDockers126Or127() throws Exception {
        root();
        Files.writeString(dir.resolve("text"), "not a program\n");
        Files.setPosixFilePermissions(dir.resolve("text"), PosixFilePermissions.fromString("rwxr-xr-x"));
        assertOneLine(popek("run", "--rootfs", dir.toString(), "/nope"), 127, "/nope: no such file");
        assertOneLine(popek("run", "--rootfs", dir.toString(), "nope"), 127, "not found in $PATH");
        assertOneLine(popek("run", "--rootfs", dir.toString(), "/text"), 126, "not an i386 Linux program");
        assertOneLine(popek("run", "--rootfs", dir.toString(), "/"), 126, "permission denied");
    }
}
