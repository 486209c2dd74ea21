package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.linux.LinuxRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code popek up}: containers and a VM from one file, output prefixed by name, exit status, and bad files. */
class UpCommandTest {
    @TempDir Path dir;

    private record Outcome(int code, String out, String err) { }

    private Outcome popek(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintWriter(err, true), new Terminal(InputStream.nullInputStream(), out));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private Path file(String toml) throws Exception {
        Path root = dir.resolve("root");
        if (!Files.exists(root)) {
            Files.createDirectories(root);
            Files.copy(LinuxRun.programs().resolve("hello"), root.resolve("hello"));
            Files.setPosixFilePermissions(root.resolve("hello"), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Path f = dir.resolve("up.toml");
        Files.writeString(f, toml.replace("ROOT", root.toString()));
        return f;
    }

    @Test
    void containersAndAVmRunTogetherWithTheirOutputPrefixed() throws Exception {
        Path f = file("""
                host-cpus = 2
                [[container]]
                name = "one"
                rootfs = "ROOT"
                command = ["/hello", "first"]
                cpu-weight = 300
                [[container]]
                name = "second"
                rootfs = "ROOT"
                command = ["/hello", "other"]
                cpus = 0.5
                [[vm]]
                name = "guest"
                kernel = "hello"
                """);
        Outcome o = popek("up", f.toString());
        assertEquals(0, o.code, o.err + o.out);
        List<String> lines = o.out.lines().toList();
        assertTrue(lines.contains("one    | argv[1]=first"), o.out);
        assertTrue(lines.contains("second | argv[1]=other"), o.out);
        assertTrue(lines.contains("guest  | Hello from a Popek guest!"), o.out);
        for (String l : lines) assertTrue(l.startsWith("one    | ") || l.startsWith("second | ") || l.startsWith("guest  | "), l);
    }

    @Test
    void theExitStatusIsTheFirstNonZeroInFileOrder() throws Exception {
        Path f = file("""
                [[container]]
                name = "ok"
                rootfs = "ROOT"
                command = ["/hello"]
                [[container]]
                name = "failing"
                rootfs = "ROOT"
                command = ["/hello", "fail"]
                """);
        Outcome o = popek("up", f.toString());
        assertEquals(3, o.code, o.err + o.out);
        assertTrue(o.out.contains("failing | popek: exited with status 3"), o.out);
    }

    @Test
    void aBadFileIsOneLineAndStatusTwo() throws Exception {
        for (String[] bad : new String[][] {
                {"[[container]]\nname = \"a\"\nrootfs = \n", "not valid TOML"},
                {"[[container]]\nname = \"a\"\nrootfs = \"ROOT\"\ncpus = 2\n", "cpus must be"},
                {"[[container]]\nname = \"a\"\nrootfs = \"ROOT\"\ncpu-weight = 0\n", "cpu-weight must be"},
                {"[[container]]\nname = \"a\"\nrotfs = \"ROOT\"\n", "unknown key 'rotfs'"},
                {"[[container]]\nname = \"a\"\nrootfs = \"ROOT\"\n[[vm]]\nname = \"a\"\nkernel = \"hello\"\n", "two entries are named 'a'"},
                {"[[vm]]\nname = \"v\"\nkernel = \"no-such-guest\"\n", "no such file"},
                {"host-cpus = 0\n", "host-cpus must be"},
                {"", "nothing to run"}}) {
            Outcome o = popek("up", file(bad[0]).toString());
            assertEquals(2, o.code, bad[0] + ": " + o.err);
            assertEquals(1, o.err.lines().count(), "one line: " + o.err);
            assertTrue(o.err.startsWith("popek: ") && o.err.contains(bad[1]), o.err);
            assertFalse(o.err.contains("Exception"), o.err);
        }
        Outcome missing = popek("up", dir.resolve("nope.toml").toString());
        assertEquals(2, missing.code);
        assertTrue(missing.err.contains("no such file"), missing.err);
    }
}
