package popek.cpu;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The virtual TSC's rate and the CPUID table's lookup rules. */
class VirtualCpuConfigTest {
    @Test
    void theTscCountsVirtualTimeAtItsRate() {
        VirtualClock.Manual clock = VirtualClock.manual();
        VirtualTsc tsc = new VirtualTsc(clock, 2_500_000_000L);
        assertEquals(0, tsc.read());
        clock.set(1_000_000_007L);
        assertEquals(2_500_000_017L, tsc.read(), "2.5 ticks a nanosecond, the fraction dropped");
        clock.advance(3_000_000_000L * 1_000_000_000L / 2_500_000_000L);
        assertEquals(2_500_000_017L + 3_000_000_000L, tsc.read());
    }

    @Test
    void aWrittenTscCountsOnFromTheValueWritten() {
        VirtualClock.Manual clock = VirtualClock.manual();
        clock.set(123_456_789);
        VirtualTsc tsc = new VirtualTsc(clock, VirtualTsc.DEFAULT_HZ);
        tsc.write(1L << 40);
        assertEquals(1L << 40, tsc.read());
        clock.advance(1000);
        assertEquals((1L << 40) + 1000, tsc.read());
        assertThrows(IllegalArgumentException.class, () -> new VirtualTsc(clock, VirtualTsc.MAX_HZ + 1));
    }

    @Test
    void aManualClockNeverGoesBack() {
        VirtualClock.Manual clock = VirtualClock.manual();
        clock.set(10);
        assertThrows(IllegalArgumentException.class, () -> clock.set(9));
        assertEquals(10, clock.nanos());
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
