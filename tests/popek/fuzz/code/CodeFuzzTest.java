package popek.fuzz.code;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

/** The code target, briefly, with a fixed seed: random whole boots agree between emulate and full mode. */
class CodeFuzzTest {
    static final int CASES = 30;

    @TempDir Path dir;

    @Test
    void randomBootsAgreeBetweenTheModes() throws Exception {
        StringWriter out = new StringWriter();
        var summary = new FuzzLoop(new FuzzLoop.Options("code", 7, 0, CASES, 0, null, false), new CodeCases())
                .run((args, err, guestOut) -> Main.execute(args, err, Terminal.capturing(guestOut)), new PrintWriter(out, true));
        assertEquals(0, summary.failures(), out + summary.line());
        assertEquals(CASES, summary.cases());
        // The cases end in several ways, not all the same: faults through the IDT, triple faults, memory that does not exist.
        assertTrue(summary.byExit().size() >= 4, summary.line());
    }

    /** The comparison is not blind: two runs that end differently, or print differently, are told apart. */
    @Test
    void theComparisonSeesDifferences() {
        CliRun.Result a = new CliRun.Result(29, "", false, 0.1, 0, null, "hi", 2);
        CliRun.Result b = new CliRun.Result(31, "", false, 0.1, 0, null, "hi", 2);
        List<String> modes = List.of("emulate", "full");
        assertNotNull(BootComparison.problem(modes, List.of(a, b), List.of()));
        assertNull(BootComparison.problem(modes, List.of(a, a), List.of()));
        CliRun.Result c = new CliRun.Result(29, "", false, 0.1, 0, null, "ho", 2);
        assertTrue(BootComparison.problem(modes, List.of(a, c), List.of()).contains("output"));
        CliRun.Result s1 = new CliRun.Result(64, "popek: the guest triple-faulted (at EIP 0x00100010: int3)\n", false, 0.1, 0, null, "", 0);
        CliRun.Result s2 = new CliRun.Result(64, "popek: the guest triple-faulted (at EIP 0x00100011: nop)\n", false, 0.1, 0, null, "", 0);
        assertTrue(BootComparison.problem(modes, List.of(s1, s2), List.of()).contains("EIP"));
        CliRun.Result t1 = new CliRun.Result(66, "popek: timeout (at EIP 0x1)\n", false, 0.1, 0, null, "abc", 3);
        CliRun.Result t2 = new CliRun.Result(66, "popek: timeout (at EIP 0x2)\n", false, 0.1, 0, null, "ab", 2);
        assertNull(BootComparison.problem(modes, List.of(t1, t2), List.of()), "stopped at different moments by the clock");
    }

    /** The disks each mode wrote must be the same afterwards. */
    @Test
    void differentDisksAreADifference() throws Exception {
        Path d1 = Files.write(dir.resolve("disk-emulate.img"), new byte[1024]), d2 = Files.write(dir.resolve("disk-full.img"), new byte[1024]);
        CliRun.Result a = new CliRun.Result(253, "", false, 0.1, 0, null, "", 0);
        assertNull(BootComparison.problem(List.of("emulate", "full"), List.of(a, a), List.of(d1, d2)));
        byte[] changed = new byte[1024];
        changed[600] = 1;
        Files.write(d2, changed);
        assertTrue(BootComparison.problem(List.of("emulate", "full"), List.of(a, a), List.of(d1, d2)).contains("sector 1"));
    }
}
