package popek.linux.tty;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cli.Main;
import popek.cli.Terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The host side of {@code popek run -it busybox sh} on a real host pseudo-terminal (Python's pty module drives a Popek JVM as a
 * user's terminal would, tests/fixtures/tty/host-pty.py): the terminal is raw while the container runs and as before
 * afterwards, its size and a resize reach the container, the exit status comes back.
 */
class HostTerminalTest {
    @TempDir Path dir;

    private static Path python() {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(d, "python3");
            if (Files.isExecutable(p)) return p;
        }
        assumeTrue(false, "python3 is not installed: no host pseudo-terminal to drive Popek from");
        return null;
    }

    /** Runs host-pty.py ({@code options} first) over a Popek JVM running {@code popek run -it ... sh}; its report. */
    private String drive(String... options) throws Exception {
        Path py = python();
        assumeTrue(Files.isReadable(Path.of("/dev/ptmx")), "the host has no /dev/ptmx");
        BusyboxImage.layers();   // assembled here first, so the JVM under test finds it ready
        List<String> cmd = new ArrayList<>(List.of(py.toString(), Path.of("tests/fixtures/tty/host-pty.py").toAbsolutePath().toString()));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED"));
        for (String prop : new String[] {"popek.unicorn", "popek.capstone"}) {
            if (System.getProperty(prop) != null) cmd.add("-D" + prop + "=" + System.getProperty(prop));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "popek.cli.Main", "run", "-it", "busybox", "sh"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the driver did not end: " + out);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("prompt True"), out);
        return out;
    }

    @Test
    void sigtermPutsTheTerminalBackToo() throws Exception {
        String out = drive("--terminate");
        assertTrue(out.contains("during icanon=0 echo=0 isig=0"), "raw while the container runs: " + out);
        assertTrue(out.contains("after icanon=1 echo=1 isig=1"), "the settings back after SIGTERM: " + out);
    }

    @Test
    void runItOnAHostTerminal() throws Exception {
        String out = drive();
        assertTrue(out.contains("during icanon=0 echo=0 isig=0"), "raw while the container runs: " + out);
        assertTrue(out.contains("size True"), "the host's 30 x 100 reached stty: " + out);
        assertTrue(out.contains("resized True"), "the resize to 40 x 120 reached stty: " + out);
        assertTrue(out.contains("exit 5"), out);
        assertTrue(out.contains("after icanon=1 echo=1 isig=1"), "the settings back afterwards: " + out);
    }

    @Test
    void minusItWithoutATerminalIsRefusedAsDockerDoes() {
        StringWriter err = new StringWriter();
        int code = Main.execute(new String[] {"run", "-it", "--rootfs", dir.toString(), "sh"}, new PrintWriter(err, true), Terminal.detached());
        assertEquals(1, code);
        assertTrue(err.toString().contains("the input device is not a TTY"), err.toString());
    }
}
