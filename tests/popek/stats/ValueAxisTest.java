package popek.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

class ValueAxisTest {
    private static List<String> labels(ValueAxis axis) {
        return axis.ticks().stream().map(ValueAxis.Tick::label).filter(l -> !l.isEmpty()).toList();
    }

    @Test
    void logAxisSpansWholeDecadesFromTheSmallestValue() {
        ValueAxis axis = new ValueAxis(AxisScale.LOG, 1.5, 9000);
        assertEquals(1, axis.low());
        assertEquals(10_000, axis.high());
        assertEquals(List.of("1 ns", "10 ns", "100 ns", "1 µs", "10 µs"), labels(axis));
        assertEquals(37, axis.ticks().size(), "4 decades of 9 lines, and the end");
        assertEquals(0.25, axis.fraction(10), 1e-12);
        assertEquals(0.75, axis.fraction(1000), 1e-12);
        assertEquals(0, axis.fraction(0), "nothing to draw for zero on a log axis");
        assertEquals(1, axis.fraction(1e9), "clamped");
    }

    @Test
    void logAxisEndsAtTwoOrFiveTimesADecadeAndLabelsIt() {
        ValueAxis axis = new ValueAxis(AxisScale.LOG, 0.8, 10_300);
        assertEquals(0.1, axis.low(), 1e-15);
        assertEquals(20_000, axis.high(), 1e-9);
        assertEquals(List.of("0.1 ns", "1 ns", "10 ns", "100 ns", "1 µs", "10 µs", "20 µs"), labels(axis));
        assertEquals(List.of("100 ns", "200 ns", "500 ns"), labels(new ValueAxis(AxisScale.LOG, 120, 450)));
    }

    @Test
    void linearAxisStartsAtZeroWithRoundSteps() {
        ValueAxis axis = new ValueAxis(AxisScale.LINEAR, 12, 447);
        assertEquals(0, axis.low());
        assertEquals(500, axis.high());
        assertEquals(List.of("0", "100 ns", "200 ns", "300 ns", "400 ns", "500 ns"), labels(axis));
        assertEquals(List.of("0", "2.5 µs", "5 µs", "7.5 µs", "10 µs", "12.5 µs"), labels(new ValueAxis(AxisScale.LINEAR, 1, 10_302)));
        assertEquals(0.5, new ValueAxis(AxisScale.LINEAR, 1, 1000).fraction(500), 1e-12);
    }
}
