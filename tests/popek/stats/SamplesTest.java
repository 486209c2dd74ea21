package popek.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplesTest {
    @Test
    void oddCountMedianIsTheMiddleSampleAndQuartilesInterpolate() {
        Samples s = Samples.of(5, 1, 3);   // sorted 1 3 5; quartile ranks 0.5 and 1.5
        assertEquals(3, s.median());
        assertEquals(1, s.min());
        assertEquals(5, s.max());
        assertEquals(2, s.p25());
        assertEquals(4, s.p75());
        assertEquals(3, s.count());
    }

    @Test
    void evenCountMedianIsTheMeanOfTheMiddleTwo() {
        Samples s = Samples.of(40, 10, 30, 20);   // sorted 10 20 30 40; ranks 0.75, 1.5, 2.25
        assertEquals(25, s.median());
        assertEquals(17.5, s.p25());
        assertEquals(32.5, s.p75());
        assertEquals(10, s.min());
        assertEquals(40, s.max());
    }

    @Test
    void fiveSamplesQuartilesFallOnSamples() {
        Samples s = Samples.of(9, 7, 1, 3, 5);
        assertEquals(3, s.p25());
        assertEquals(5, s.median());
        assertEquals(7, s.p75());
        assertEquals(8, s.quantile(0.875));
    }

    @Test
    void oneSampleIsEveryStatistic() {
        Samples s = Samples.of(447);
        assertEquals(447, s.min());
        assertEquals(447, s.p25());
        assertEquals(447, s.median());
        assertEquals(447, s.p75());
        assertEquals(447, s.max());
    }

    @Test
    void keepsItsOwnSortedCopy() {
        double[] runs = {3, 1, 2};
        Samples s = Samples.of(runs);
        runs[0] = 100;
        assertArrayEquals(new double[] {1, 2, 3}, s.sorted());
        s.sorted()[0] = 100;
        assertEquals(1, s.min());
        assertEquals(Samples.of(2, 3, 1), s, "samples compare by value, in any order");
        assertEquals(Samples.of(2, 3, 1).hashCode(), s.hashCode());
    }

    @Test
    void rejectsNothingAndNonNumbers() {
        assertThrows(IllegalArgumentException.class, Samples::of);
        assertThrows(IllegalArgumentException.class, () -> Samples.of(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Samples.of(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> Samples.of(1).quantile(1.5));
    }

    @Test
    void rangesOverlapWhenOnesSlowestRunIsSlowerThanTheOthersFastest() {
        assertTrue(Samples.of(38, 45).rangeOverlaps(Samples.of(39, 44)));
        assertTrue(Samples.of(10, 20).rangeOverlaps(Samples.of(20, 30)), "touching counts");
        assertFalse(Samples.of(11, 13).rangeOverlaps(Samples.of(431, 502)));
        assertFalse(Samples.of(431, 502).rangeOverlaps(Samples.of(11, 13)));
    }
}
