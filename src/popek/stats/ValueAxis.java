package popek.stats;

import java.util.ArrayList;
import java.util.List;

/**
 * The chart's value axis (nanoseconds per iteration): its range, where a value falls on it, and its ticks. A log axis
 * spans whole decades around the data, because trap costs run from about 1 ns (an emulated {@code cli}) to 10 µs (a
 * page fault through the guest's IDT) and a linear axis would flatten everything but the slowest row. A linear axis
 * starts at zero, so bar lengths stay proportional to the values.
 */
final class ValueAxis {
    /** A gridline; {@code label} is empty for the unlabelled minor lines of a log axis (2×, 3×, … 9× a decade). */
    record Tick(double value, String label, boolean major) {}

    private final AxisScale scale;
    private final int lowExponent;
    private final double low;
    private final double high;

    /** An axis covering {@code [smallest, largest]}; for LOG, {@code smallestPositive} is the least value above zero. */
    ValueAxis(AxisScale scale, double smallestPositive, double largest) {
        this.scale = scale;
        if (scale == AxisScale.LOG) {
            // Whole decades: the ticks then fall on 1, 10, 100 … ns, which a reader converts in their head.
            double lowExp = Double.isFinite(smallestPositive) && smallestPositive > 0 ? Math.floor(Math.log10(smallestPositive)) : 0;
            this.lowExponent = (int) lowExp;
            this.low = Math.pow(10, lowExp);
            // The end need not be a whole decade: stopping at 2× or 5× spares a mostly empty decade at the right.
            double end = niceCeiling(largest);
            this.high = end > low * (1 + 1e-9) ? end : low * 2;   // all values equal to a decade: still a visible span
        } else {
            this.lowExponent = 0;
            this.low = 0;
            double step = largest > 0 ? niceStep(largest / 5) : 0.2;
            this.high = largest > 0 ? step * Math.ceil(largest / step - 1e-9) : 1;
        }
    }

    double low() { return low; }

    double high() { return high; }

    AxisScale scale() { return scale; }

    /** Where {@code value} falls, 0 at the axis origin to 1 at its end; values outside (or ≤ 0 on a log axis) clamp. */
    double fraction(double value) {
        double f = scale == AxisScale.LOG
                ? (value <= 0 ? 0 : (Math.log10(value) - Math.log10(low)) / (Math.log10(high) - Math.log10(low)))
                : (value - low) / (high - low);
        return Math.clamp(f, 0.0, 1.0);
    }

    List<Tick> ticks() {
        List<Tick> ticks = new ArrayList<>();
        if (scale == AxisScale.LINEAR) {
            double step = niceStep(high / 5);
            for (int i = 0; i * step <= high * (1 + 1e-9); i++) ticks.add(new Tick(i * step, ReportFormat.duration(i * step), true));
            return ticks;
        }
        // Over one or two decades, bare decade labels would leave the axis with two or three numbers: label 2× and 5× too.
        boolean labelHalves = high / low <= 100 * (1 + 1e-9);
        for (int d = 0; ; d++) {
            double decade = Math.pow(10, lowExponent + d);   // not low × 10^d, which drifts off 10^k
            for (int k = 1; k <= 9; k++) {
                double value = k * decade;
                if (value > high * (1 + 1e-9)) return ticks;
                // The axis end is labelled whatever it is, so the reader sees where the scale stops.
                boolean labelled = k == 1 || (labelHalves && (k == 2 || k == 5)) || Math.abs(value - high) <= high * 1e-9;
                ticks.add(new Tick(value, labelled ? ReportFormat.duration(value) : "", labelled));
            }
        }
    }

    /** The axis title's scale note. */
    String scaleNote() { return scale == AxisScale.LOG ? "log scale" : "linear scale"; }

    /** The smallest of 1, 2, 5 × 10^k that is at least {@code value} (positive). */
    private static double niceCeiling(double value) {
        if (!(value > 0)) return 1;
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double m : new double[] {1, 2, 5}) if (m * power >= value * (1 - 1e-9)) return m * power;
        return 10 * power;
    }

    /** The smallest of 1, 2, 2.5, 5 × 10^k that is at least {@code raw}: about five gridlines with round labels. */
    private static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 2.5, 5}) if (m * power >= raw * (1 - 1e-9)) return m * power;
        return 10 * power;
    }
}
