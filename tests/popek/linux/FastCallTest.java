package popek.linux;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * System calls by sysenter (tests/linux/fastcall.c), made as Linux's __kernel_vsyscall makes them and answered at the
 * landing point as Linux answers them: each checked against the same call by int 0x80 in the same program (qemu-i386
 * 7.2 has no vDSO and answers sysenter with SIGSEGV, so it is no oracle here), with the sixth argument from the
 * stack, a restart after a handler, fork, and an unreadable stack.
 */
class FastCallTest {
    @TempDir Path dir;

    @Test
    void sysenterCallsBehaveAsLinuxServesThem() {
        new TestRoot(dir).program("fastcall");
        LinuxRun r = LinuxRun.run(dir, "", "/fastcall");
        assertFalse(r.out().contains("FAIL"), r.out() + r.err());
        assertTrue(r.out().contains("written by sysenter\n") && r.out().endsWith("all passed\n"), r.out() + r.err());
        assertEquals(0, r.exitCode(), r.out() + r.err());
    }
}
