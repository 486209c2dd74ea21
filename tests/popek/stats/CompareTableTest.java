package popek.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** bench compare's table and verdicts, on made-up numbers. */
class CompareTableTest {
    private static Measurement cell(String w, String mode, double ms, long exits, long traps) {
        Measurement.Run run = new Measurement.Run((long) (ms * 1e6), traps, exits);
        return Measurement.fromRuns(w, mode, 1, List.of(run, run));
    }

    private final BenchResult result = new BenchResult(List.of("emulate", "full", "para"), List.of(
            cell("disk", "emulate", 270, 235, 1_057_024), cell("disk", "full", 200, 199, 1_057_024), cell("disk", "para", 18, 0, 4),
            cell("console", "emulate", 58, 39, 27_600), cell("console", "full", 12, 7, 27_600), cell("console", "para", 13, 0, 200)));
    private final CompareTable table = new CompareTable(result, List.of(new ModeRatio("full", "emulate"), new ModeRatio("para", "full")));

    @Test
    void theVerdictNamesTheWinnerTheMarginAndTheExitsAndTrapsSaved() {
        assertEquals("disk: para is 11.1x faster than full (18.0 ms vs 200 ms) and takes no exits (vs 199), 264256x fewer traps (4 vs 1057024)",
                table.verdict("disk"));
        assertEquals("console: full is 1.08x faster than para (12.0 ms vs 13.0 ms) and takes 7 exits (vs none), 138x more traps (27600 vs 200)",
                table.verdict("console"));
    }

    @Test
    void theTableHasALinePerWorkloadAndModeWithItsRatios() {
        String text = table.render("title");
        assertTrue(text.contains("para/full 0.090x"), text);
        assertTrue(text.contains("full/emulate 0.74x"), text);
        assertEquals(6, text.lines().filter(l -> l.matches("^\\S*\\s+(emulate|full|para)\\s+\\d.*")).count(), text);
    }
}
