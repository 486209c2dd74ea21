package popek.stats;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/**
 * Number and text formatting shared by the benchmark reports. Always {@link Locale#ROOT}: a report must not change
 * its decimal separator with the user's locale (the CSV would stop parsing).
 */
final class ReportFormat {
    private ReportFormat() {}

    /**
     * Nanoseconds for a table column: three significant digits where they matter, never fewer than the integer part
     * (12.3, 447, 10234), so a column of them lines up on the right and small costs keep their precision.
     */
    static String ns(double ns) {
        double magnitude = Math.abs(ns);
        // The thresholds sit where rounding would carry into a new digit (99.96 prints as 100, not 100.0).
        if (magnitude >= 99.95) return String.format(Locale.ROOT, "%.0f", ns);
        if (magnitude >= 9.995) return String.format(Locale.ROOT, "%.1f", ns);
        return String.format(Locale.ROOT, "%.2f", ns);
    }

    /** Nanoseconds in a sentence: whole nanoseconds, one decimal below 10 ("12 ns", "3.4 ns"). */
    static String nsInText(double ns) {
        return String.format(Locale.ROOT, Math.abs(ns) >= 9.95 ? "%.0f ns" : "%.1f ns", ns);
    }

    /** A ratio with three significant digits, at most two decimals: 1.04x, 37.2x, 372x; 0.47x; 0.0039x. */
    static String ratio(double ratio) {
        if (ratio >= 99.95) return String.format(Locale.ROOT, "%.0fx", ratio);
        if (ratio >= 9.995) return String.format(Locale.ROOT, "%.1fx", ratio);
        if (ratio >= 0.0995 || ratio == 0) return String.format(Locale.ROOT, "%.2fx", ratio);
        // Two decimals would print a 250-fold saving as 0.00x: keep two significant digits instead.
        return new BigDecimal(ratio).round(new MathContext(2)).toPlainString() + "x";
    }

    /** Three significant digits without trailing zeros: 2, 1.5, 0.00123 (traps per iteration vary over decades). */
    static String significant(double v) {
        if (v == 0) return "0";
        return new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
    }

    /**
     * A number for data files: six significant digits (far finer than run-to-run noise, and free of the binary
     * rounding tails like 1.5750000000000002 that interpolation leaves), no trailing zeros, never in exponent form.
     */
    static String plain(double v) {
        if (v == 0) return "0";
        return new BigDecimal(v).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** A round duration for an axis tick, in the unit that keeps it short: 0, 500 ns, 1 µs, 2.5 µs, 10 ms. */
    static String duration(double ns) { return duration(ns, true); }

    /** A measured duration to three significant digits, zeros kept to show the precision: 1.23 ns, 2.00 µs. */
    static String measuredDuration(double ns) { return duration(ns, false); }

    private static String duration(double ns, boolean round) {
        double magnitude = Math.abs(ns);
        if (magnitude == 0) return "0";
        // Pick the unit after rounding, so 999.7 ns reads 1.00 µs rather than 1000 ns.
        double rounded = new BigDecimal(magnitude).round(new MathContext(3)).doubleValue();
        String[] units = {" ns", " µs", " ms", " s"};
        int unit = 0;
        double scaled = ns;
        while (unit < units.length - 1 && rounded >= 1000) {
            rounded /= 1000;
            scaled /= 1000;
            unit++;
        }
        BigDecimal digits = new BigDecimal(scaled).round(new MathContext(3));
        // A whole number like 12 has only two digits of precision as a BigDecimal: pad it to 12.0.
        digits = round ? digits.stripTrailingZeros() : digits.setScale(Math.max(digits.scale() + 3 - digits.precision(), 0));
        return digits.toPlainString() + units[unit];
    }

    /**
     * Text for XML character data or a double-quoted attribute: the five markup characters escaped, and characters
     * XML 1.0 forbids (control characters, lone surrogates) replaced, so a row name can never break the document.
     */
    static String xml(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1));
                    if (pair) {
                        out.append(c).append(text.charAt(++i));
                    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || Character.isSurrogate(c) || c == 0xFFFE || c == 0xFFFF) {
                        out.append('\uFFFD');
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
