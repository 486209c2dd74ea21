package popek.linux;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Threads (tests/linux/threads.c): TLS through set_thread_area and %gs, clone threads (CLONE_SETTLS,
 * CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID), futex wait, wake and timeouts, a 1,000-round futex ping-pong between
 * two threads, tgkill to a thread, exit_group from a thread; the same output as under qemu-i386.
 */
class ThreadCallsTest {
    @TempDir Path dir;

    @Test
    void everyCheckPassesAndMatchesQemuUser() {
        new TestRoot(dir).program("threads");
        LinuxRun r = LinuxRun.run(dir, "", "/threads");
        assertFalse(r.out().contains("FAIL"), r.out() + r.err());
        assertEquals(0, r.exitCode(), r.out() + r.err());
        QemuUser.Result q = QemuUser.run(dir.resolve("threads"));
        assertEquals(q.out(), r.out());
    }
}
