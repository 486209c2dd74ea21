package popek.linux;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Namespaces (tests/linux/namespaces.c): the /proc/[pid]/ns files and nsfs, unshare and setns with their errors, pid
 * namespaces (pid 1, getppid 0, orphans, init protection, kill -1, the end of an init, ENOMEM after it), UTS, time
 * offsets, user namespaces (uid_map, gid_map, setgroups, the overflow id, capabilities), clone's CLONE_NEW* flags and
 * mount namespaces; the same output as a Linux kernel's (qemu-i386 passes the calls to the host's) for all but the
 * last two, which qemu-user cannot do.
 */
class NamespaceCallsTest {
    @TempDir Path dir;

    @Test
    void everyCheckPasses() {
        new TestRoot(dir).program("namespaces");
        LinuxRun r = LinuxRun.run(dir, "", "/namespaces", "popek");
        assertFalse(r.out().contains("FAIL"), r.out() + r.err());
        assertTrue(r.out().contains("ok setns into the child's mount namespace"), r.out() + r.err());
        assertTrue(r.out().endsWith("0 failures\n"), r.out() + r.err());
        assertEquals(0, r.exitCode());
    }

    @Test
    void sameOutputAsLinuxUnderQemuUser() {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "the oracle makes namespaces of the host's kernel, which needs root (no namespace outlives the test)");
        Path program = new TestRoot(dir).program("namespaces").dir().resolve("namespaces");
        QemuUser.Result q = QemuUser.run(program);
        LinuxRun r = LinuxRun.run(dir, "", "/namespaces");
        assertEquals(q.out(), r.out(), r.err());
        assertEquals(q.exitCode(), r.exitCode());
    }
}
