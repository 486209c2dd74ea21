package popek.container;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Containers of the built-in busybox image (skipped, saying why, where it cannot be fetched): standard input with
 * -i, the working directory, the user, the environment, a CPU-bound job preempted so the shell goes on, the exit
 * status of a process killed by a signal.
 */
class BusyboxContainerTest {
    static List<Path> layers;

    @BeforeAll
    static void image() { layers = ChrootOracle.image("busybox"); }

    private record Result(int status, String out, String err) { }

    private static Result run(String input, boolean interactive, String workdir, int uid, List<String> env, String... cmd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(layers, List.of(cmd), env, workdir, uid, uid, interactive, false, false, 256L << 20);
        InputStream in = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        int status = new Container(c, new Stdio(in, out, err), new PrintStream(err, true)).run();
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void interactiveStandardInputReachesTheProgram() {
        Result r = run("line one\nline two\n", true, "/", 0, List.of(), "sh", "-c", "wc -l; cat");
        assertEquals("2\n", r.out(), r.err());
        Result closed = run("ignored\n", false, "/", 0, List.of(), "sh", "-c", "cat; echo end");
        assertEquals("end\n", closed.out(), "without -i standard input is empty");
    }

    @Test
    void theWorkingDirectoryUserAndEnvironmentAreThoseAskedFor() {
        Result r = run("", false, "/etc", 1000, List.of("FOO=bar baz", "PATH=/bin"), "sh", "-c", "pwd; id -u; id -g; echo \"$FOO\"; echo $PATH; echo $HOME");
        assertEquals("/etc\n1000\n1000\nbar baz\n/bin\n/\n", r.out(), r.err());
    }

    @Test
    void aCpuBoundJobIsPreemptedAndTheShellCarriesOn() {
        Result r = run("", false, "/", 0, List.of(), "sh", "-c", "while :; do :; done & sleep 0.1; kill $!; wait $!; echo \"status $?\"");
        assertEquals("status 143\n", r.out(), r.err());
    }

    @Test
    void theExitStatusIsTheCommandsOr128PlusTheSignal() throws InterruptedException {
        assertEquals(7, run("", false, "/", 0, List.of(), "sh", "-c", "exit 7").status());
        assertEquals(128 + 15, run("", false, "/", 0, List.of(), "sh", "-c", "sh -c 'kill -TERM $$'; exit $?").status(),
                "a child killed by SIGTERM: the shell's status 143");
        // The first process is its pid namespace's init: what it has no handler for, sent from inside, never reaches it
        // (pid_namespaces(7)); as in Docker, `sh -c 'kill -KILL $$'` as pid 1 goes on.
        Result r = run("", false, "/", 0, List.of(), "sh", "-c", "kill -TERM $$; kill -KILL $$; echo survived");
        assertEquals("survived\n", r.out(), r.err());
        assertEquals(0, r.status());
        // From outside (Ctrl-C, a timeout) it is killed: 128 + 9.
        ContainerConfig c = new ContainerConfig(layers, List.of("sleep", "30"), List.of(), "/", 0, 0, false, false, false, 256L << 20);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Container container = new Container(c, new Stdio(InputStream.nullInputStream(), new ByteArrayOutputStream(), err), new PrintStream(err, true));
        int[] status = {-1};
        Thread t = Thread.ofPlatform().start(() -> status[0] = container.run());
        for (int i = 0; i < 1000 && t.isAlive(); i++) {
            container.kill();
            t.join(10);
        }
        assertEquals(128 + 9, status[0], err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theFirstProcessIsPid1() {
        Result r = run("", false, "/", 0, List.of(), "sh", "-c", "echo $$; sh -c 'echo $PPID'; sh -c 'echo $PPID'");
        assertEquals("1\n1\n0\n", r.out(), "a child's parent is 1; the last command, exec'd in place, is pid 1 (parent 0)");
        assertTrue(r.err().isEmpty(), r.err());
    }
}
