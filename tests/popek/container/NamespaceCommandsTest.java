package popek.container;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * busybox's namespace commands in a container, as on Linux: unshare (pid with --mount-proc, uts, a namespace kept by
 * a bind mount of its /proc file), nsenter into another process's namespaces, and what /proc/self shows of them.
 */
class NamespaceCommandsTest {
    static List<Path> image;

    @BeforeAll
    static void busybox() { image = ChrootOracle.image("busybox"); }

    /** Runs {@code script} in a busybox container as root, standard error into standard output. */
    private static String run(String script) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(image, List.of("sh", "-c", "exec 2>&1\n" + script), List.of(), "/", 0, 0, false, false,
                false, 256L << 20);
        new Container(c, new Stdio(new ByteArrayInputStream(new byte[0]), out, out), new PrintStream(out, true)).run();
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void unsharePidWithMountProcStartsAtOneAndSeesOnlyItsOwn() {
        assertEquals("""
                1
                PID   COMMAND
                    1 sh
                    2 ps
                """, run("unshare -p -f --mount-proc sh -c 'echo $$; ps -o pid,comm; true'"));
    }

    @Test
    void whenTheInitOfANamespaceEndsTheRestIsKilled() {
        String out = run("""
                unshare -p -f sh -c 'sleep 30 & sleep 30 & echo "started $!"'
                echo "unshare: $?"
                ps -o comm | grep -c sleep
                """);
        assertEquals("started 3\nunshare: 0\n0\n", out);
    }

    @Test
    void unshareUtsChangesOnlyItsOwnName() {
        assertEquals("x\npopek\n", run("unshare -u sh -c 'hostname x; hostname'; hostname"));
    }

    @Test
    void theNamespaceFilesNameTheirNamespaces() {
        String out = run("""
                readlink /proc/self/ns/uts; readlink /proc/1/ns/uts
                unshare -u readlink /proc/self/ns/uts
                stat -L -c %i /proc/self/ns/pid
                cat /proc/self/uid_map /proc/self/gid_map /proc/self/setgroups /proc/self/cgroup /proc/self/timens_offsets
                """);
        List<String> lines = out.lines().toList();
        assertTrue(lines.get(0).matches("uts:\\[\\d+]") && lines.get(0).equals(lines.get(1)), out);
        assertTrue(lines.get(2).matches("uts:\\[\\d+]") && !lines.get(2).equals(lines.get(0)), "a new namespace, a new number:\n" + out);
        assertEquals("4026531836", lines.get(3), "the kernel's first pid namespace has Linux's number");
        assertEquals("""
                         0          0 4294967295
                         0          0 4294967295
                allow
                0::/
                monotonic           0         0
                boottime            0         0
                """, String.join("\n", lines.subList(4, lines.size())) + "\n");
    }

    @Test
    void nsenterJoinsAnotherProcesssNamespaces() {
        String out = run("""
                unshare -p -u -f --mount-proc sh -c 'hostname inner; touch /tmp/ready; sleep 30; true' &
                for i in $(seq 200); do [ -e /tmp/ready ] && break; sleep 0.05; done
                t=$(grep -l '^NSpid:	[0-9]*	1$' /proc/[0-9]*/status | cut -d/ -f3)
                nsenter -t $t -u -p -m sh -c 'hostname; ps -o comm | grep -c sleep; [ $$ -gt 1 ] && echo "a pid of that namespace"'
                hostname
                kill -9 $t; wait
                """);
        assertEquals("inner\n1\na pid of that namespace\npopek\n", out);
    }

    @Test
    void aBindMountOfANamespaceFileKeepsItForNsenter() {
        String out = run("""
                touch /tmp/uts
                unshare --uts=/tmp/uts hostname kept
                grep /tmp/uts /proc/mounts
                nsenter --uts=/tmp/uts hostname
                hostname
                """);
        assertEquals("nsfs /tmp/uts nsfs rw,relatime 0 0\nkept\npopek\n", out);
    }
}
