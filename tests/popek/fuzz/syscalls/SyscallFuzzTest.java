package popek.fuzz.syscalls;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cli.Main;
import popek.cli.Terminal;
import popek.fuzz.harness.CliRun;
import popek.fuzz.harness.FuzzLoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The syscalls target, briefly, with a fixed seed: random system calls from a container keep every promise. */
class SyscallFuzzTest {
    static final int CASES = 6;

    @TempDir Path dir;

    private static Path program() {
        String images = System.getProperty("popek.guestImages", "target/guest-images");
        Path p = Path.of(images, "linux", "sysfuzz");
        assumeTrue(Files.isRegularFile(p), "sysfuzz is not built (" + p + ")");
        return p;
    }

    @Test
    void randomSystemCallsKeepEveryPromise() throws Exception {
        StringWriter out = new StringWriter();
        var summary = new FuzzLoop(new FuzzLoop.Options("syscalls", 3, 0, CASES, 0, null, true), new SyscallCases(program()))
                .run((args, err, guestOut) -> Main.execute(args, err, Terminal.capturing(guestOut)), new PrintWriter(out, true));
        assertEquals(0, summary.failures(), out + summary.line());
        assertEquals(CASES, summary.cases());
        // The programs ran their calls: each ended by its own exit, SIGALRM (a call that waits), or a signal it caused.
        assertTrue(summary.byExit().keySet().stream().allMatch(c -> c == 0 || c > 128), summary.line());
    }

    /** The check is not blind: a report of the mark, or a changed file under the case, is a failure. */
    @Test
    void theCheckSeesAnEscapeAndAChangedFile() throws Exception {
        Path caseDir = Files.createDirectories(dir.resolve("c"));
        new SyscallCases(program()).generate(1, 0, caseDir);
        String before = SyscallCases.digest(caseDir);
        CliRun.Result fine = new CliRun.Result(0, "", false, 0.1, 0, null, "sysfuzz: 10 calls\n", 18);
        assertNull(SyscallCases.problem(caseDir, fine, before));
        CliRun.Result escaped = new CliRun.Result(99, "", false, 0.1, 0, null, "ESCAPE: call 3 (number 3) read the file\n", 40);
        assertNotNull(SyscallCases.problem(caseDir, escaped, before));
        Files.writeString(caseDir.resolve("outside/secret.txt"), "changed");
        assertNotNull(SyscallCases.problem(caseDir, fine, before));
    }
}
