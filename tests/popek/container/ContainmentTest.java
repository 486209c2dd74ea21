package popek.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a busybox container cannot reach, as its shell commands see it (the system calls behind them are checked one
 * by one in tests/linux/escape.c and namespaces.c): a host file beside its root by 30 paths; processes outside its
 * pid namespace (kill -9 -1, ps), nested or in another container; another container's host name and files over the
 * same image; namespaces a user without CAP_SYS_ADMIN would make. Two containers run at once where isolation between
 * them is the point, the second held at a point by its standard input until the first has done its part.
 */
class ContainmentTest {
    static List<Path> image;

    @TempDir Path dir;

    @BeforeAll
    static void busybox() { image = ChrootOracle.image("busybox"); }

    /** A container running in the background, its standard input ours to feed, its output ours to read. */
    private static final class Running {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        final PipedOutputStream input = new PipedOutputStream();
        final Thread thread;
        volatile int status = -1;

        Running(List<Path> layers, String hostname, int uid, String script) throws IOException {
            InputStream in = new PipedInputStream(input);
            ContainerConfig c = new ContainerConfig(layers, List.of("sh", "-c", script), List.of(), "/", uid, uid, true, false, false, 256L << 20);
            Container container = new Container(c, new Stdio(in, out, err), new PrintStream(err, true));
            if (hostname != null) container.setHostname(hostname);
            thread = Thread.ofPlatform().name("container").start(() -> status = container.run());
        }

        String out() {
            synchronized (out) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }

        /** Waits (10 s at most) until it has printed {@code line}. */
        void awaitLine(String line) throws InterruptedException {
            for (int i = 0; i < 1000 && !out().lines().toList().contains(line); i++) Thread.sleep(10);
            assertTrue(out().lines().toList().contains(line), "no line '" + line + "' in:\n" + out() + err);
        }

        void send(String text) throws IOException {
            input.write(text.getBytes(StandardCharsets.UTF_8));
            input.flush();
        }

        /** Its output once it has ended (30 s at most). */
        String finish() throws InterruptedException, IOException {
            input.close();
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), "the container did not end:\n" + out() + err);
            return out();
        }
    }

    /** Runs {@code script} to its end; what it printed, errors and all, in order. */
    private static String run(List<Path> layers, int uid, String script) throws IOException, InterruptedException {
        Running r = new Running(layers, null, uid, "exec 2>&1\n" + script);
        String out = r.finish();
        assertEquals("", r.err.toString(StandardCharsets.UTF_8), out);
        return out;
    }

    /**
     * A host file beside the container's top layer, and 30 shell commands that try to read it, or write next to it:
     * .., absolute and relative links, chains and loops of links, /proc's magic links (self, pid 1, a descriptor),
     * the host's own path, long names, bind and proc mounts in a mount namespace of its own, nsenter, device nodes.
     */
    @Test
    void noPathLeavesTheRoot() throws IOException, InterruptedException {
        Path top = dir.resolve("rootfs");
        Files.createDirectories(top);
        String secret = "HOST-SECRET-" + UUID.randomUUID();
        Path host = dir.resolve("secret.txt");
        Files.writeString(host, secret + "\n");
        List<Path> layers = new ArrayList<>(List.of(top));
        layers.addAll(image);
        String h = host.toString(), d = dir.toString();
        String[] attempts = {
            "cat /../secret.txt",
            "cat ../../../../../../secret.txt",
            "cd /tmp && cat ../../secret.txt",
            "mkdir -p /tmp/a/b/c && cd /tmp/a/b/c && cat ../../../../../../../../secret.txt",
            "cd / && cd .. && cd .. && pwd && cat secret.txt",
            "cat " + h,
            "cat " + d + "/../" + dir.getFileName() + "/secret.txt",
            "cat /proc/self/root/../secret.txt",
            "cat /proc/self/cwd/../../secret.txt",
            "cat /proc/1/root/../../secret.txt",
            "cat /proc/1/cwd/../secret.txt",
            "exec 3</tmp && cat /proc/self/fd/3/../../secret.txt",
            "ln -s ../../../../../secret.txt /tmp/up && cat /tmp/up",
            "ln -s /../../secret.txt /tmp/abs && cat /tmp/abs",
            "ln -s " + h + " /tmp/host && cat /tmp/host",
            "ln -s /tmp/up /tmp/chain && cat /tmp/chain",
            "ln -s / /tmp/r && cat /tmp/r/../../secret.txt",
            "ln -s /proc/self/root/.. /tmp/m && cat /tmp/m/secret.txt",
            "ln -s /proc/1/root/../.. /tmp/p1 && cat /tmp/p1/secret.txt",
            "ln -s l2 /tmp/l1 && ln -s l1 /tmp/l2 && cat /tmp/l1",
            "cat /tmp/" + "n".repeat(256),
            "cat " + "/..".repeat(1400) + "/secret.txt",
            "readlink -f /.. && ls /.. | grep -c secret",
            "cd /proc/self/root/.. && pwd && cat secret.txt",
            "mkdir -p /mnt/b && mount --bind /.. /mnt/b && cat /mnt/b/../secret.txt /mnt/b/../../secret.txt",
            "mount --bind " + d + " /mnt",
            "unshare -m sh -c 'mkdir -p /tmp/q && mount -t proc proc /tmp/q && cat /tmp/q/self/root/../secret.txt /tmp/q/1/cwd/../../secret.txt'",
            "nsenter -t 1 -m cat /../secret.txt",
            "mknod /tmp/disk b 8 0 && cat /tmp/disk",
            "echo pwned > /../pwned.txt && echo pwned > ../../pwned2.txt && ls /pwned.txt /pwned2.txt",
        };
        StringBuilder script = new StringBuilder();
        for (int i = 0; i < attempts.length; i++) {
            script.append("echo '== ").append(i + 1).append("'; (").append(attempts[i]).append(") 2>&1; cd /\n");
        }
        String out = run(layers, 0, script.toString());
        assertEquals(30, attempts.length);
        assertFalse(out.contains(secret), "the secret was read:\n" + out);
        for (int i = 1; i <= attempts.length; i++) assertTrue(out.contains("== " + i + "\n"), "attempt " + i + " did not run:\n" + out);
        // What Linux says to each of the ones that fail outright:
        assertTrue(out.contains("cat: can't open '/tmp/l1': Too many levels of symbolic links"), out);
        assertTrue(out.contains("File name too long"), out);
        assertTrue(out.contains("cat: can't open '" + h + "': No such file or directory"), out);
        assertTrue(out.contains("mount: mounting " + d + " on /mnt failed: No such file or directory"), out);
        assertTrue(out.contains("cat: can't open '/tmp/disk': No such device or address"), "no driver stands behind a block device node:\n" + out);
        assertTrue(out.contains("/pwned.txt\n/pwned2.txt\n"), "writes above the root land in it:\n" + out);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("rootfs", "secret.txt"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing was written beside the root on the host");
        }
        try (var files = Files.list(top)) {
            assertEquals(0, files.count(), "nor in its image layer");
        }
        assertEquals(secret + "\n", Files.readString(host));
    }

    /**
     * kill -9 -1 kills every process its caller's pid namespace holds but that namespace's init and itself: in a
     * nested namespace, not the container's init nor anything outside it; at the container's top, not another
     * container's processes.
     */
    @Test
    void killMinusOneKillsOnlyItsOwnProcesses() throws IOException, InterruptedException {
        Running other = new Running(image, null, 0, "sleep 30 & echo started; read x; kill -0 $! && echo 'its sleep lives'; kill $!");
        other.awaitLine("started");
        String out = run(image, 0, """
                sleep 30 & outer=$!
                unshare -p -f sh -c 'sleep 30 & sleep 30 & kill -9 -1; echo "nested kill: $?"; wait; echo "nested: all gone"'
                kill -0 $outer && echo "the outer sleep lives"
                sleep 30 & sleep 30 &
                kill -9 -1; echo "kill: $?"; wait; echo "init lives on"
                ps -o pid,comm | grep -c sleep
                """);
        assertEquals("nested kill: 0\nnested: all gone\nthe outer sleep lives\nkill: 0\ninit lives on\n0\n", out);
        other.send("go\n");
        assertEquals("started\nits sleep lives\n", other.finish());
    }

    /** ps shows the processes of its own pid namespace: not another container's, not its parent namespace's. */
    @Test
    void psShowsOnlyItsOwnProcesses() throws IOException, InterruptedException {
        Running other = new Running(image, null, 0, "sleep 30 & echo started; read x; kill $!");
        other.awaitLine("started");
        String out = run(image, 0, """
                sleep 30 &
                ps -o pid,comm
                unshare -p -f --mount-proc sh -c 'ps -o pid,comm; true'
                kill $!
                """);
        assertEquals("""
                PID   COMMAND
                    1 sh
                    2 sleep
                    3 ps
                PID   COMMAND
                    1 sh
                    2 ps
                """, out);
        other.send("go\n");
        assertEquals("started\n", other.finish());
    }

    /** --hostname names each container; a change in one, or in a namespace unshared inside it, stays there. */
    @Test
    void aHostnameChangeStaysInItsNamespace() throws IOException, InterruptedException {
        Running beta = new Running(image, "beta", 0, "hostname; read x; hostname; cat /proc/sys/kernel/hostname");
        beta.awaitLine("beta");
        Running alpha = new Running(image, "alpha", 0, """
                hostname; echo $HOSTNAME
                hostname changed; uname -n
                unshare -u sh -c 'hostname inner; hostname'
                hostname
                """);
        assertEquals("alpha\nalpha\nchanged\ninner\nchanged\n", alpha.finish());
        beta.send("go\n");
        assertEquals("beta\nbeta\nbeta\n", beta.finish());
    }

    /** Two containers over one image write the same path: each reads its own, and the image is not changed. */
    @Test
    void twoContainersWritingOnePathEachSeeTheirOwn() throws IOException, InterruptedException {
        Path layer = dir.resolve("layer");
        Files.createDirectories(layer.resolve("etc"));
        Files.writeString(layer.resolve("etc/motd"), "from the image\n");
        List<Path> layers = new ArrayList<>(List.of(layer));
        layers.addAll(image);
        Running a = new Running(layers, null, 0, "echo A > /etc/motd; echo A > /shared; echo written; read x; cat /etc/motd /shared");
        a.awaitLine("written");
        Running b = new Running(layers, null, 0, "cat /etc/motd; echo B > /etc/motd; echo B > /shared; cat /etc/motd /shared");
        assertEquals("from the image\nB\nB\n", b.finish());
        a.send("go\n");
        assertEquals("written\nA\nA\n", a.finish());
        assertEquals("from the image\n", Files.readString(layer.resolve("etc/motd")));
        assertFalse(Files.exists(layer.resolve("shared")));
    }

    /**
     * --user 1000 has no CAP_SYS_ADMIN: unshare of a UTS, mount or pid namespace is refused (EPERM), unless a user
     * namespace is made with it, whose capabilities it holds. Without a uid map it shows as nobody, and, not being
     * the new namespace's root, loses them at execve (so the shell unshare runs may not set the name); with -r
     * (uid 0 inside mapped to 1000) it is root there and may.
     */
    @Test
    void anUnprivilegedUserMakesNamespacesOnlyWithAUserNamespace() throws IOException, InterruptedException {
        String out = run(image, 1000, """
                unshare -u true; echo "uts: $?"
                unshare -m true; echo "mnt: $?"
                unshare -p -f true; echo "pid: $?"
                unshare -U -u sh -c 'hostname inside; id -u'
                unshare -r -u sh -c 'hostname inside; hostname; id -u; cat /proc/self/uid_map'
                hostname
                """);
        assertEquals("""
                unshare: unshare(0x4000000): Operation not permitted
                uts: 1
                unshare: unshare(0x20000): Operation not permitted
                mnt: 1
                unshare: unshare(0x20000000): Operation not permitted
                pid: 1
                hostname: sethostname: Operation not permitted
                65534
                inside
                0
                         0       1000          1
                popek
                """, out);
    }
}
