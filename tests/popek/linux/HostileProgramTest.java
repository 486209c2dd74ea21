package popek.linux;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * What a program may do that a kernel must survive (tests/linux/hostile.c): privileged instructions, int 0x81, jumps
 * and reads into the kernel's region, a bad %gs, sysenter, lgdt, unbounded recursion, and (Popek only: qemu-user
 * would take the host's memory) touching memory until the page pool runs out, which kills that process alone; each
 * dies of the signal Linux sends, and the output matches qemu-i386's.
 */
class HostileProgramTest {
    @TempDir Path dir;

    @Test
    void everyCheckPassesAndMatchesQemuUser() {
        new TestRoot(dir).program("hostile");
        LinuxRun all = LinuxRun.run(64L << 20, dir, "", java.util.List.of(), "/hostile", "memory");
        assertFalse(all.out().contains("FAIL"), all.out() + all.err());
        assertEquals(0, all.exitCode(), all.out() + all.err());
        LinuxRun r = LinuxRun.run(dir, "", "/hostile");
        QemuUser.Result q = QemuUser.run(dir.resolve("hostile"));
        assertEquals(q.out(), r.out());
    }
}
