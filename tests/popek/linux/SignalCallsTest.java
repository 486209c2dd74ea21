package popek.linux;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Signals (tests/linux/signals.c): handlers with siginfo, rt and old i386 frames through sigreturn, masks and pending
 * signals, faults as SIGSEGV with si_addr and si_code, SA_RESTART against EINTR, the alternate stack, SIGCHLD,
 * rt_sigsuspend, default actions; the same output as under qemu-i386.
 */
class SignalCallsTest {
    @TempDir Path dir;

    @Test
    void everyCheckPassesAndMatchesQemuUser() {
        new TestRoot(dir).program("signals");
        LinuxRun all = LinuxRun.run(dir, "", "/signals", "popek");
        assertFalse(all.out().contains("FAIL"), all.out() + all.err());
        assertEquals(0, all.exitCode(), all.out() + all.err());
        LinuxRun r = LinuxRun.run(dir, "", "/signals");
        QemuUser.Result q = QemuUser.run(dir.resolve("signals"));
        assertEquals(q.out(), r.out());
    }
}
