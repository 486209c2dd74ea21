package popek.linux.tty;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code popek run -it busybox sh} (the built-in image) as a user has it, keys typed and the screen read back as the host terminal would
 * get them: a command and its output, ^C killing a sleep, sane settings in stty -a, a resize reaching the shell, and
 * vi drawing its screen and editing.
 */
class InteractiveShellTest {
    static List<Path> layers;

    @BeforeAll
    static void busybox() { layers = BusyboxImage.layers(); }

    private static ContainerRun shell(AtomicReference<int[]> size) throws Exception {
        ContainerRun r = new ContainerRun(layers, true, true, size::get, "/bin/sh");
        r.waitFor("# ");
        return r;
    }

    @Test
    void aCommandTypedShowsItsOutputAndExitGivesTheStatus() throws Exception {
        try (ContainerRun r = shell(new AtomicReference<>(new int[] {30, 100}))) {
            r.type("echo hello $((6*7))\r");
            String seen = r.waitFor("hello 42\r\n");
            assertTrue(seen.contains("echo hello $((6*7))"), "the typed line is echoed: " + seen);
            r.waitFor("# ");
            r.type("exit 3\r");
            assertEquals(3, r.exitStatus());
        }
    }

    @Test
    void ctrlCKillsTheForegroundSleepAndTheShellGoesOn() throws Exception {
        try (ContainerRun r = shell(new AtomicReference<>(new int[] {30, 100}))) {
            // The job says when it runs (in the foreground by then), and becomes the sleep.
            r.type("sh -c 'echo st$((1+1))rted; exec sleep 100'\r");
            r.waitFor("st2rted\r\n");
            r.type("\u0003");
            r.waitFor("^C");
            r.waitFor("# ");
            r.type("echo status $?\r");
            r.waitFor("status 130");   // 128 + SIGINT
            r.type("exit\r");
            assertEquals(0, r.exitStatus());
        }
    }

    @Test
    void sttyShowsTheSettingsOfAFreshDockerTerminal() throws Exception {
        try (ContainerRun r = shell(new AtomicReference<>(new int[] {30, 100}))) {
            r.type("stty -a; echo $((6*7))done\r");
            String s = r.waitFor("42done\r\n");
            for (String want : new String[] {"speed 38400 baud; rows 30; columns 100;", "intr = ^C; quit = ^\\; erase = ^?; kill = ^U; eof = ^D;",
                "susp = ^Z", "werase = ^W; lnext = ^V;", "min = 1; time = 0;", " cs8 ", " icrnl ixon ", "opost -olcuc", " onlcr ",
                "isig icanon iexten echo echoe echok -echonl", "echoctl echoke", "-tostop"}) {
                assertTrue(s.contains(want), "stty -a lacks '" + want + "':\n" + s);
            }
            r.type("exit\r");
            assertEquals(0, r.exitStatus());
        }
    }

    @Test
    void aResizeOfTheHostWindowReachesTheForegroundJob() throws Exception {
        AtomicReference<int[]> size = new AtomicReference<>(new int[] {30, 100});
        try (ContainerRun r = shell(size)) {
            r.type("sh -c 'trap \"stty size; exit 7\" WINCH; echo waiting; while :; do sleep 1; done'\r");
            r.waitFor("waiting\r\n");
            size.set(new int[] {40, 120});
            r.waitFor("40 120\r\n");
            r.waitFor("# ");
            r.type("exit $?\r");
            assertEquals(7, r.exitStatus());
        }
    }

    @Test
    void viDrawsItsScreenTakesInsertedTextAndWrites() throws Exception {
        try (ContainerRun r = shell(new AtomicReference<>(new int[] {24, 80}))) {
            r.type("vi /tmp/hello.txt\r");
            // The alternate screen, cleared, a tilde on each empty line, the status line at the bottom.
            r.waitFor("\u001b[?1049h\u001b[H\u001b[J");
            r.waitFor("\u001b[23;1H~");
            r.waitFor("\u001b[24;1H\u001b[K- /tmp/hello.txt");
            r.type("ihello");
            r.waitFor("hello");
            r.type("\u001b");
            r.waitFor("[Modified]");
            r.type(":wq\r");
            String after = r.waitFor("Read-only file system", "\u001b[?1049l");
            assertFalse(after.contains("Read-only file system"), "vi could not write /tmp/hello.txt:\n" + after);
            r.waitFor("# ");
            r.type("cat /tmp/hello.txt\r");
            r.waitFor("\r\nhello\r\n");
            r.type("exit\r");
            assertEquals(0, r.exitStatus());
        }
    }
}
