package popek.container;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The busybox image in a container: what only Popek's kernel can answer (/proc for ps, top, free and uptime, the
 * mounts for df and mount, /dev's devices, FIFOs, mount(2)), and what a container's writes do to the image (nothing)
 * and to its neighbours (nothing).
 */
class BusyboxImageTest {
    private record Run(int status, String out, String err) { }

    private static Run run(String script) {
        List<Path> layers = ChrootOracle.image("busybox");
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(layers, List.of("/bin/sh", "-c", script), List.of(), "/", 0, 0, false, false,
                false, 256L << 20);
        int status = new Container(c, new Stdio(InputStream.nullInputStream(), out, err), new PrintStream(err, true)).run();
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void procShowsTheContainersProcesses() {
        Run r = run("sleep 100 & ps -o pid,ppid,user,comm; grep -E '^(Pid|PPid|State)' /proc/self/status; "
                + "readlink /proc/self/exe; readlink /proc/$$/cwd; cat /proc/sys/kernel/hostname; "
                + "free | head -2 | tail -1 | awk '{print $1}'; top -b -n 1 | grep -c '^Load average: '; kill $!");
        String o = r.out();
        assertTrue(o.contains("    1     0 root     sh"), o + r.err());
        assertTrue(o.lines().anyMatch(l -> l.matches("\\s+\\d+\\s+1 root\\s+sleep")), o);
        assertTrue(o.lines().anyMatch(l -> l.matches("\\s+\\d+\\s+1 root\\s+ps")), o);
        assertTrue(o.contains("State:\tR (running)\n") && o.contains("PPid:\t1\n"), o);
        assertTrue(o.contains("/bin/busybox\n/\npopek\nMem:\n1\n"), o);
    }

    @Test
    void dfAndMountShowTheContainersMounts() {
        Run r = run("df | awk '{print $1, $6}'; mkdir /mnt; mount -t tmpfs -o size=1m tmpfs /mnt; "
                + "df /mnt | tail -1 | awk '{print $1, $2, $6}'; touch /mnt/x; ls /mnt; umount /mnt; ls /mnt | wc -l; "
                + "mount --bind /etc /mnt; ls /mnt/passwd; umount /mnt; head -2 /proc/mounts");
        assertEquals("""
                Filesystem Mounted
                overlay /
                tmpfs /dev
                tmpfs /dev/shm
                tmpfs /tmp
                tmpfs /run
                tmpfs 1024 /mnt
                x
                0
                /mnt/passwd
                overlay / overlay rw,relatime 0 0
                proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0
                """, r.out(), r.err());
    }

    @Test
    void aFullTmpfsIsEnospc() {
        Run r = run("mkdir /mnt; mount -t tmpfs -o size=1m tmpfs /mnt; dd if=/dev/zero of=/mnt/f bs=4k count=1000; "
                + "ls -l /mnt/f | awk '{print $5}'; rm /mnt/f; dd if=/dev/zero of=/mnt/g bs=4k count=10 2>/dev/null; ls -l /mnt/g | awk '{print $5}'");
        assertEquals("1048576\n40960\n", r.out(), r.err());
        assertTrue(r.err().contains("No space left on device"), r.err());
    }

    @Test
    void devicesAndFifos() {
        Run r = run("head -c 4 /dev/zero | od -An -tx1; echo x > /dev/null && echo null; echo x > /dev/full || echo full; "
                + "head -c 100 /dev/urandom | wc -c; stat -c '%n %t:%T %a' /dev/null /dev/zero /dev/tty; "
                + "readlink /dev/stdin; readlink /dev/fd; mkfifo /tmp/p; (echo through the fifo > /tmp/p &); cat /tmp/p");
        assertEquals("""
                 00 00 00 00
                null
                full
                100
                /dev/null 1:3 666
                /dev/zero 1:5 666
                /dev/tty 5:0 666
                /proc/self/fd/0
                /proc/self/fd
                through the fifo
                """, r.out(), r.err());
        assertTrue(r.err().contains("No space left on device"), r.err());
    }

    @Test
    void writesStayInTheContainer() throws Exception {
        List<Path> layers = ChrootOracle.image("busybox");
        Path passwd = layers.get(0).resolve("etc/passwd");
        String before = Files.readString(passwd);
        Run first = run("echo intruder:x:0:0::/:/bin/sh >> /etc/passwd; rm /bin/ls; mkdir /new; tail -1 /etc/passwd; ls /bin/ls");
        assertTrue(first.out().startsWith("intruder:x:0:0::/:/bin/sh\n"), first.out() + first.err());
        assertTrue(first.err().contains("/bin/ls: No such file or directory"), first.err());
        Run second = run("tail -1 /etc/passwd; ls /bin/ls; ls -d /new");
        assertFalse(second.out().contains("intruder"), second.out());
        assertTrue(second.out().contains("/bin/ls\n"), second.out());
        assertTrue(second.err().contains("/new: No such file or directory"), second.err());
        assertEquals(before, Files.readString(passwd), "the image's layer is unchanged");
        assertTrue(Files.isSymbolicLink(layers.get(0).resolve("bin/ls")));
    }
}
