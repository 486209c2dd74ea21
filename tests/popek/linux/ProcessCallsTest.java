package popek.linux;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Processes (tests/linux/process.c): fork with copy-on-write, vfork, wait4's statuses and WNOHANG, waitid's siginfo
 * (exited, killed, stopped, continued, WNOWAIT, WNOHANG, EINVAL), process groups,
 * execve of programs and #! scripts and its failures (ENOENT, EACCES, ENOEXEC, EFAULT); the same output as under
 * qemu-i386 for what qemu-user can run itself (everything but execve).
 */
class ProcessCallsTest {
    @TempDir Path dir;

    private TestRoot root() {
        return new TestRoot(dir).program("process").file("data.txt", "not a program\n", "rw-r--r--")
                .file("notelf", "just text\n", "rwxr-xr-x").file("script.sh", "#!/process interp -x\n", "rwxr-xr-x");
    }

    @Test
    void everyCheckPassesIncludingExec() {
        LinuxRun r = LinuxRun.run(root().dir(), "", "/process", "popek");
        assertFalse(r.out().contains("FAIL"), r.out() + r.err());
        assertTrue(r.out().contains("ok execve of a #! script"), r.out() + r.err());
        assertTrue(r.out().endsWith("0 failures\n"), r.out() + r.err());
        assertEquals(0, r.exitCode());
    }

    @Test
    void sameOutputAsQemuUser() {
        Path program = root().dir().resolve("process");
        QemuUser.Result q = QemuUser.run(program);
        LinuxRun r = LinuxRun.run(dir, "", "/process");
        assertEquals(q.out().replace(program.toString(), "/process"), r.out(), r.err());
        assertEquals(q.exitCode(), r.exitCode());
    }
}
