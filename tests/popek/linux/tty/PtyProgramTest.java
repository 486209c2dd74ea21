package popek.linux.tty;

import org.junit.jupiter.api.Test;

import popek.linux.LinuxRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** i386 programs of our own drive the terminals through their system calls (tests/linux/ptys.c, jobctl.c). */
class PtyProgramTest {
    private static void runClean(String program) throws Exception {
        try (ContainerRun r = new ContainerRun(LinuxRun.programs(), false, false, null, "/" + program)) {
            int status = r.exitStatus();
            String out = r.out.text();
            assertFalse(out.contains("FAIL"), out + r.err.text());
            assertEquals(0, status, out + r.err.text());
        }
    }

    @Test
    void aPtyPairWithItsIoctlsAndReads() throws Exception { runClean("ptys"); }
}
