package popek.linux.tty;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import popek.linux.LinuxRun;
import popek.linux.QemuUser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * i386 programs of our own drive the terminals through their system calls (tests/linux/ptys.c, jobctl.c), in Popek
 * and, as an oracle, on the host's Linux under qemu-user.
 */
class PtyProgramTest {
    private static String runClean(String program) throws Exception {
        try (ContainerRun r = new ContainerRun(List.of(LinuxRun.programs()), false, false, null, "/" + program)) {
            int status = r.exitStatus();
            String out = r.out.text();
            assertFalse(out.contains("FAIL"), out + r.err.text());
            assertEquals(0, status, out + r.err.text());
            assertTrue(out.contains("failures: 0"), out);
            return out;
        }
    }

    @Test
    void aPtyPairWithItsIoctlsAndReads() throws Exception { runClean("ptys"); }

    @Test
    void jobControlOnAControllingTerminal() throws Exception {
        String out = runClean("jobctl");
        for (String line : new String[] {"a background read: stopped by SIGTTIN", "with TOSTOP it stops the job with SIGTTOU",
            "an orphaned background group reads EIO", "^C typed at the master: SIGINT to the foreground group",
            "the master resizes: SIGWINCH", "the master closes: SIGHUP to the session leader",
            "the leader's exit: SIGHUP to the terminal's foreground group"}) {
            assertTrue(out.contains("ok " + line), "missing: " + line + "\n" + out);
        }
    }

    /**
     * Checks that may fail on the host: qemu-user 7.2 does not translate TIOCGPTLCK and TCGETS2 (ENOSYS), passes
     * TIOCGSID a null pointer and refuses PR_SET_CHILD_SUBREAPER (so an orphan goes to the host's init, not to the
     * program); the host's devpts has its own mode and other terminals open.
     */
    private static final Map<String, Set<String>> HOST_DIFFERENCES = Map.of(
            "ptys", Set.of("TIOCGPTLCK", "a new pty is locked", "TCGETS2 on the master (the slave's settings)",
                    "termios2's c_ispeed", "/dev/pts/0 is crw--w----", "the first pty is number 0"),
            "jobctl", Set.of("the slave became the session's controlling terminal", "the session's checks passed",
                    "the leader's exit: SIGHUP to the terminal's foreground group"));

    @Test
    void theSameChecksPassOnLinuxUnderQemuUser() throws Exception {
        Path qemu = QemuUser.binary();
        assumeTrue(Files.isReadable(Path.of("/dev/ptmx")) && Files.isWritable(Path.of("/dev/ptmx")), "the host has no /dev/ptmx");
        for (String program : HOST_DIFFERENCES.keySet()) {
            Process p = new ProcessBuilder(qemu.toString(), LinuxRun.programs().resolve(program).toString())
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), program + " did not end under qemu-i386");
            long ok = out.lines().filter(l -> l.startsWith("ok ")).count();
            assertTrue(ok >= 20, program + " under qemu-i386:\n" + out);
            for (String line : out.lines().filter(l -> l.startsWith("FAIL")).toList()) {
                String what = line.replaceFirst("^FAIL line \\d+: ", "").replaceFirst(": got -?\\d+, want -?\\d+$", "")
                        .replaceFirst(" \\([-0-9 xms]+\\)$", "");
                assertTrue(HOST_DIFFERENCES.get(program).contains(what), program + " fails on Linux too: " + line + "\n" + out);
            }
        }
    }
}
