package popek.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BenchResultTest {
    @Test
    void fromRunsDividesByIterationsAndTakesTheMedianRun() {
        Measurement m = Measurement.fromRuns("cli_sti", "full", 1000, List.of(
                new Measurement.Run(447_000, 2000, 41),
                new Measurement.Run(431_000, 2000, 40),
                new Measurement.Run(502_000, 2003, 40),
                new Measurement.Run(460_000, 2001, 44)));
        assertEquals(Samples.of(447, 431, 502, 460), m.nsPerIteration());
        assertEquals(453.5, m.median());
        assertEquals(2.0005, m.trapsPerIteration(), 1e-12, "median of 2000, 2000, 2001, 2003 traps over 1000 iterations");
        assertEquals(41, m.exits(), "median of 40, 40, 41, 44 is 40.5, rounded");
        assertEquals(4, m.runs());
        assertEquals(1000, m.iterations());
    }

    @Test
    void ratiosAreOfMedians() {
        BenchResult r = BenchFixtures.threeModes();
        assertEquals(List.of(new ModeRatio("full", "emulate"), new ModeRatio("para", "full")), r.consecutiveRatios());
        assertEquals(415 / 1.65, r.ratio("cli_sti", ModeRatio.parse("full/emulate")).getAsDouble(), 1e-12);
        assertEquals(307.5 / 415, r.ratio("cli_sti", ModeRatio.parse("para/full")).getAsDouble(), 1e-12);
        assertEquals(8600 / 2075.0, r.ratio("page_fault", ModeRatio.parse("full / emulate")).getAsDouble(), 1e-12);
        assertTrue(r.ratio("page_fault", ModeRatio.parse("para/full")).isEmpty(), "page_fault has no para run");
        assertEquals("para/full", ModeRatio.parse("para/full").label());
        assertThrows(IllegalArgumentException.class, () -> ModeRatio.parse("full"));
        assertThrows(IllegalArgumentException.class, () -> ModeRatio.parse("full/full"));
        assertThrows(IllegalArgumentException.class, () -> ModeRatio.parse("a/b/c"));
    }

    @Test
    void rowsKeepFirstMeasuredOrderAndModesTheGivenOrder() {
        BenchResult r = BenchFixtures.threeModes();
        assertEquals(List.of("cli_sti", "page_fault"), r.rows());
        assertEquals(List.of("emulate", "full", "para"), r.modes());
        assertEquals(List.of("emulate", "para", "full"), r.fastestFirst("cli_sti").stream().map(Measurement::mode).toList());
        assertEquals(5, r.measurements().size());
        assertEquals(2, r.measurements("page_fault").size());
        assertEquals(4, r.uniformRuns().getAsInt());
    }

    @Test
    void rejectsCellsOutsideTheModesAndDuplicates() {
        Measurement cli = new Measurement("cli_sti", "emulate", 10, Samples.of(1), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> new BenchResult(List.of("full"), List.of(cli)));
        assertThrows(IllegalArgumentException.class, () -> new BenchResult(List.of("emulate"), List.of(cli, cli)));
        assertThrows(IllegalArgumentException.class, () -> new BenchResult(List.of("emulate", "emulate"), List.of(cli)));
        assertThrows(IllegalArgumentException.class, () -> new BenchResult(List.of("emulate"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Measurement("x", "emulate", 0, Samples.of(1), 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Measurement("x", "emulate", 1, Samples.of(1), Double.NaN, 0));
    }
}
