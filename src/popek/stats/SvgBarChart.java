package popek.stats;

import java.util.List;
import java.util.Locale;

/**
 * The benchmark as a picture: a standalone SVG document, 900 px wide, of horizontal bars grouped by row (one bar per
 * mode, one colour per mode), each bar the median with a whisker from the fastest to the slowest run, and the median
 * written after it. Horizontal because row names (instruction classes, workloads) are long and read best level.
 * Hand-written SVG 1.1 with no scripts, styles or fonts to fetch, so it renders alike in a browser, an image viewer or
 * a GitHub README. Each bar carries a {@code <title>} tooltip with its exact figures.
 *
 * <p>Elements carry classes ({@code bar}, {@code error-bar}, {@code row-label}, {@code legend-entry},
 * {@code tick-label}, {@code axis-title}) so tests, and anyone restyling the file, can find them.
 */
public final class SvgBarChart {
    /**
     * Okabe and Ito's palette (2008), distinguishable with any of the common colour-vision deficiencies; in this order
     * the first three (emulate, full, para) are blue, orange and green, which also differ in lightness for grey print.
     */
    static final List<String> PALETTE = List.of("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
            "#F0E442", "#000000");

    static final int WIDTH = 900;
    private static final int MARGIN = 16;
    private static final int BAR_HEIGHT = 14;
    private static final int BAR_GAP = 3;
    private static final int GROUP_PADDING = 9;
    private static final int PLOT_TOP = 84;
    /** Room right of the plot for the median written after the longest bar, e.g. "10.2 µs". */
    private static final int VALUE_LABEL_ROOM = 64;
    /** Row labels longer than this are cut with an ellipsis (the full name stays in the tooltip). */
    private static final int MAX_LABEL_CHARS = 30;
    /** Average advance of a 12 px sans-serif character: SVG cannot measure text, so the layout estimates. */
    private static final double CHAR_WIDTH = 6.8;

    private final BenchResult result;
    private final AxisScale scale;
    private final String rowAxisTitle;

    /** {@code rowAxisTitle}: what the rows are, e.g. "instruction class" or "workload". */
    public SvgBarChart(BenchResult result, AxisScale scale, String rowAxisTitle) {
        this.result = result;
        this.scale = scale;
        this.rowAxisTitle = rowAxisTitle;
    }

    /** The whole document, UTF-8 (write it with {@code Files.writeString}, whose default is UTF-8). */
    public String render(String title) {
        ValueAxis axis = axis();
        int modes = result.modes().size();
        int groupHeight = 2 * GROUP_PADDING + modes * BAR_HEIGHT + (modes - 1) * BAR_GAP;
        int longestLabel = result.rows().stream().mapToInt(r -> shortened(r).length()).max().orElse(0);
        longestLabel = Math.max(longestLabel, rowAxisTitle.length());
        int plotLeft = MARGIN + (int) Math.ceil(longestLabel * CHAR_WIDTH) + 10;
        int plotRight = WIDTH - MARGIN - VALUE_LABEL_ROOM;
        int plotBottom = PLOT_TOP + result.rows().size() * groupHeight;
        int height = plotBottom + 58;
        Svg svg = new Svg();

        svg.open("svg", "xmlns", "http://www.w3.org/2000/svg", "version", "1.1", "width", WIDTH, "height", height,
                "viewBox", "0 0 " + WIDTH + " " + height, "font-family", "Helvetica, Arial, sans-serif", "font-size", 12);
        svg.element("title", title);
        svg.leaf("rect", "width", WIDTH, "height", height, "fill", "#ffffff");
        svg.text(title, "x", WIDTH / 2, "y", 28, "text-anchor", "middle", "font-size", 16, "font-weight", "bold", "class", "chart-title");
        legend(svg, plotLeft, 54);

        // Bands behind every other row, so the eye can follow a group of bars to its label.
        for (int r = 1; r < result.rows().size(); r += 2) {
            svg.leaf("rect", "x", MARGIN, "y", PLOT_TOP + r * groupHeight, "width", plotRight - MARGIN,
                    "height", groupHeight, "fill", "#f3f3f3");
        }
        double plotWidth = plotRight - plotLeft;
        svg.open("g", "class", "grid");
        for (ValueAxis.Tick tick : axis.ticks()) {
            double x = plotLeft + axis.fraction(tick.value()) * plotWidth;
            svg.leaf("line", "x1", x, "y1", PLOT_TOP, "x2", x, "y2", plotBottom + (tick.major() ? 5 : 0),
                    "stroke", tick.major() ? "#bbbbbb" : "#e2e2e2", "stroke-width", 1);
        }
        svg.close("g");

        svg.text(rowAxisTitle, "x", plotLeft - 8, "y", PLOT_TOP - 8, "text-anchor", "end", "font-weight", "bold", "class", "axis-title");
        for (int r = 0; r < result.rows().size(); r++) {
            String row = result.rows().get(r);
            int groupTop = PLOT_TOP + r * groupHeight;
            svg.text(shortened(row), "x", plotLeft - 8, "y", groupTop + groupHeight / 2.0 + 4, "text-anchor", "end", "class", "row-label");
            for (int i = 0; i < modes; i++) {
                String mode = result.modes().get(i);
                double y = groupTop + GROUP_PADDING + i * (BAR_HEIGHT + BAR_GAP);
                result.get(row, mode).ifPresent(m -> bar(svg, m, colour(mode), axis, plotLeft, plotWidth, y));
            }
        }

        svg.leaf("line", "x1", plotLeft, "y1", plotBottom, "x2", plotRight, "y2", plotBottom, "stroke", "#333333", "stroke-width", 1);
        svg.leaf("line", "x1", plotLeft, "y1", PLOT_TOP, "x2", plotLeft, "y2", plotBottom, "stroke", "#333333", "stroke-width", 1);
        double labelledUpTo = Double.NEGATIVE_INFINITY;
        for (ValueAxis.Tick tick : axis.ticks()) {
            if (tick.label().isEmpty()) continue;
            double x = plotLeft + axis.fraction(tick.value()) * plotWidth;
            double halfWidth = tick.label().length() * CHAR_WIDTH / 2;
            if (x - halfWidth < labelledUpTo + 6) continue;   // would overprint its neighbour (a 2× end beside a decade)
            labelledUpTo = x + halfWidth;
            svg.text(tick.label(), "x", x, "y", plotBottom + 19, "text-anchor", "middle", "fill", "#333333", "class", "tick-label");
        }
        var runs = result.uniformRuns();
        String axisTitle = "ns per iteration, " + axis.scaleNote() + " (bar: median; whisker: min–max of "
                + (runs.isPresent() ? runs.getAsInt() + " runs)" : "the runs)");
        svg.text(axisTitle, "x", (plotLeft + plotRight) / 2.0, "y", plotBottom + 42, "text-anchor", "middle", "class", "axis-title");
        svg.close("svg");
        return svg.toString();
    }

    /** One mode's bar: the median, its whisker (min–max over the runs) and the median written after it. */
    private void bar(Svg svg, Measurement m, String colour, ValueAxis axis, double left, double width, double y) {
        Samples s = m.nsPerIteration();
        double centre = y + BAR_HEIGHT / 2.0;
        double xMedian = left + axis.fraction(s.median()) * width;
        double xMin = left + axis.fraction(s.min()) * width;
        double xMax = left + axis.fraction(s.max()) * width;
        svg.open("rect", "class", "bar", "x", left, "y", y, "width", xMedian - left, "height", BAR_HEIGHT, "fill", colour);
        svg.element("title", String.format(Locale.ROOT, "%s, %s: median %s ns per iteration (min %s, max %s, %d runs), %s traps per iteration",
                m.row(), m.mode(), ReportFormat.ns(s.median()), ReportFormat.ns(s.min()), ReportFormat.ns(s.max()), m.runs(),
                ReportFormat.significant(m.trapsPerIteration())));
        svg.close("rect");
        svg.open("g", "class", "error-bar", "stroke", "#1a1a1a", "stroke-width", 1.3);
        svg.leaf("line", "x1", xMin, "y1", centre, "x2", xMax, "y2", centre);
        svg.leaf("line", "x1", xMin, "y1", centre - 4, "x2", xMin, "y2", centre + 4);
        svg.leaf("line", "x1", xMax, "y1", centre - 4, "x2", xMax, "y2", centre + 4);
        svg.close("g");
        svg.text(ReportFormat.measuredDuration(s.median()), "x", Math.max(xMax, xMedian) + 5, "y", centre + 3.5, "font-size", 10,
                "fill", "#333333", "class", "value-label");
    }

    /** Swatch and name per mode in one line above the plot, then the whisker's key. */
    private void legend(Svg svg, double x, double y) {
        for (String mode : result.modes()) {
            svg.open("g", "class", "legend-entry");
            svg.leaf("rect", "x", x, "y", y - 10, "width", 12, "height", 12, "fill", colour(mode));
            svg.text(mode, "x", x + 17, "y", y);
            svg.close("g");
            x += 17 + mode.length() * CHAR_WIDTH + 22;
        }
        svg.open("g", "class", "legend-key", "stroke", "#1a1a1a", "stroke-width", 1.3);
        svg.leaf("line", "x1", x, "y1", y - 4, "x2", x + 22, "y2", y - 4);
        svg.leaf("line", "x1", x, "y1", y - 8, "x2", x, "y2", y);
        svg.leaf("line", "x1", x + 22, "y1", y - 8, "x2", x + 22, "y2", y);
        svg.close("g");
        svg.text("fastest to slowest run", "x", x + 28, "y", y, "class", "legend-key");
    }

    /** The value axis, spanning every run of every cell (so no whisker is cut off). */
    ValueAxis axis() {
        double smallestPositive = Double.POSITIVE_INFINITY;
        double largest = 0;
        for (Measurement m : result.measurements()) {
            for (double v : m.nsPerIteration().sorted()) if (v > 0) smallestPositive = Math.min(smallestPositive, v);
            largest = Math.max(largest, m.nsPerIteration().max());
        }
        return new ValueAxis(scale, smallestPositive, largest);
    }

    /** The mode's colour: by its position in the result's modes, so emulate, full, para look the same in every chart. */
    String colour(String mode) { return PALETTE.get(result.modes().indexOf(mode) % PALETTE.size()); }

    private static String shortened(String label) {
        return label.length() <= MAX_LABEL_CHARS ? label : label.substring(0, MAX_LABEL_CHARS - 1) + "…";
    }
}
