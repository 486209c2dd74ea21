package popek.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class BenchTableTest {
    @Test
    void twoModesTable() {
        String text = new BenchTable(BenchFixtures.twoByTwo()).render("Trap cost by instruction class");
        assertEquals("""
                Trap cost by instruction class
                ns per iteration over 3 runs: median, spread = min and max run; traps/iter = VMM traps per guest iteration
                row      mode      median      min      max  runs  traps/iter  ratio of medians
                                  ns/iter  ns/iter  ns/iter
                -------  -------  -------  -------  -------  ----  ----------  -------------------
                cli_sti  emulate     12.0     11.0     13.0     3           2
                         full         447      431      502     3           2  full/emulate  37.3x

                out_dx   emulate     40.0     38.0     45.0     3           1
                         full        41.0     39.0     44.0     3           1  full/emulate  1.03x

                cli_sti: emulate is 37.3x faster than full (12 ns vs 447 ns)
                out_dx: emulate is 1.03x faster than full (40 ns vs 41 ns, within noise)
                """, text);
    }

    @Test
    void threeModesWithAMissingCell() {
        String text = new BenchTable(BenchFixtures.threeModes()).render("Three modes");
        List<String> lines = text.lines().toList();
        assertTrue(lines.contains("cli_sti     emulate     1.65     1.50     2.00     4           2"), text);
        assertTrue(lines.contains("            full         415      400      500     4           2  full/emulate   252x"), text);
        assertTrue(lines.contains("            para         308      300      320     4           1  para/full     0.74x"), text);
        assertTrue(lines.contains("page_fault  emulate     2075     2000     2200     4           1"), text);
        assertTrue(lines.contains("cli_sti: emulate is 186x faster than para (1.7 ns vs 308 ns) and 252x faster than full (415 ns)"), text);
        assertTrue(lines.contains("page_fault: emulate is 4.14x faster than full (2075 ns vs 8600 ns)"), text);
        assertEquals(1, lines.stream().filter(l -> l.matches(" +para .*")).count(), "page_fault has no para line");
        for (String line : lines) assertTrue(line.length() <= 110, "too wide: " + line);
    }

    @Test
    void tableFitsAHundredColumnsForTypicalNames() {
        for (String line : new BenchTable(BenchFixtures.threeModes()).table().lines().toList()) {
            assertTrue(line.length() <= 100, "too wide: " + line);
        }
    }

    @Test
    void summaryForASingleModeRowAndAChosenRatio() {
        BenchResult one = new BenchResult(List.of("emulate", "full"),
                List.of(new Measurement("hlt", "full", 10, Samples.of(5000), 1, 1)));
        assertEquals("hlt: only full measured (5000 ns)", new BenchTable(one).summary("hlt"));
        String text = new BenchTable(BenchFixtures.threeModes(), List.of(ModeRatio.parse("para/emulate"))).table();
        assertTrue(text.contains("para         308      300      320     4           1  para/emulate   186x"), text);
        assertThrows(IllegalArgumentException.class,
                () -> new BenchTable(BenchFixtures.twoByTwo(), List.of(ModeRatio.parse("para/full"))));
    }
}
