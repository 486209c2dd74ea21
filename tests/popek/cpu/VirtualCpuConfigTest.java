package popek.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The virtual TSC's rate and the CPUID table's lookup rules. */
class VirtualCpuConfigTest {
    @Test
    void theTscCountsVirtualTimeAtItsRate() {
        VirtualClock clock = new VirtualClock();
        VirtualTsc tsc = new VirtualTsc(clock, 2_500_000_000L);
        long before = clock.nanos();
        long t = tsc.read();
        long after = clock.nanos();
        assertTrue(t >= before * 5 / 2 && t <= after * 5 / 2 + 2, before + " " + t + " " + after);
    }

    @Test
    void aWrittenTscCountsOnFromTheValueWritten() {
        VirtualClock clock = new VirtualClock();
        VirtualTsc tsc = new VirtualTsc(clock, VirtualTsc.DEFAULT_HZ);
        tsc.write(1L << 40);
        long t = tsc.read();
        assertTrue(t >= 1L << 40 && t < (1L << 40) + 1_000_000_000L, Long.toString(t));
        assertThrows(IllegalArgumentException.class, () -> new VirtualTsc(clock, VirtualTsc.MAX_HZ + 1));
    }

    @Test
    void anExactSubleafBeatsAWildcardAndTheLatestEntryWins() {
        CpuidTable t = CpuidTable.EMPTY.with(4, CpuidTable.ANY, 1, 1, 1, 1).with(4, 2, 2, 2, 2, 2).with(7, 0, 3, 3, 3, 3)
                .with(7, 0, 9, 9, 9, 9);
        assertEquals(1, t.value(t.find(4, 0), 0));
        assertEquals(2, t.value(t.find(4, 2), 1));
        assertEquals(9, t.value(t.find(7, 0), 3));
        assertEquals(-1, t.find(7, 1));
        assertEquals(-1, t.find(5, 0));
        assertEquals(-1, CpuidTable.EMPTY.find(0, 0));
    }
}
