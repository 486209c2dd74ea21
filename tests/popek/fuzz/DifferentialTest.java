package popek.fuzz;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import popek.cpu.ExecutionMode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The differential tester as the oracle for full mode: a fixed seed's 2,000 generated cases run in emulate and in full
 * mode, and every difference must be one a known Unicorn error explains (what {@code ./popek fuzz} runs by hand).
 */
class DifferentialTest {
    static final long SEED = 20260101;
    static final int CASES = 2000;

    @Test
    void fullModeAgreesWithEmulateModeOnEveryGeneratedCase() throws Exception {
        // Each run is a few milliseconds of guest time; the few cases that loop for ever (in both modes alike: a
        // handler table the case overwrote, say) cost their whole limit, so it is short.
        var options = new CpuDifferential.Options(SEED, 0, CASES, ExecutionMode.EMULATE, ExecutionMode.FULL,
                500_000_000L, Math.max(2, Runtime.getRuntime().availableProcessors()), false);
        StringWriter reproducers = new StringWriter();
        CpuDifferential.Summary summary = new CpuDifferential(options).run(new PrintWriter(reproducers));
        System.out.println(summary.line());
        assertEquals(CASES, summary.cases());
        assertEquals(0, summary.diverged(), () -> summary.line() + "\n" + reproducers);
        // The cases exercise what they are for: most run to their end, and some meet each kind of known error.
        assertTrue(summary.outcomes().getOrDefault(Outcome.AGREED, 0) > CASES / 3, summary::line);
        assertTrue(summary.outcomes().getOrDefault(Outcome.TIMED_OUT, 0) < CASES / 100, summary::line);
    }
}
