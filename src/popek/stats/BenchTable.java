package popek.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The benchmark as a terminal reads it: one line per (row, mode), the row's modes grouped under its name, and then a
 * sentence per row naming the fastest mode. Long form rather than a rows × modes grid because three modes with a
 * median, a spread and traps each do not fit 100 columns side by side; grouped lines do, for any number of modes.
 *
 * <pre>
 * row      mode      median      min      max  runs  traps/iter  ratio of medians
 *                  ns/iter  ns/iter  ns/iter
 * -------  -------  -------  -------  -------  ----  ----------  -------------------
 * cli_sti  emulate     12.0     11.0     13.0     3           2
 *          full         447      431      502     3           2  full/emulate  37.3x
 *
 * cli_sti: emulate is 37.3x faster than full (12 ns vs 447 ns)
 * </pre>
 *
 * The spread is min–max over the runs (not the interquartile range: with the 3–10 runs a benchmark can afford, the
 * quartiles are mostly interpolation, while min and max are real runs). ASCII only, so any terminal encoding shows it.
 */
public final class BenchTable {
    private static final String GAP = "  ";
    private static final String[] HEADER = {"row", "mode", "median", "min", "max", "runs", "traps/iter", "ratio of medians"};
    private static final String[] UNITS = {"", "", "ns/iter", "ns/iter", "ns/iter", "", "", ""};
    // Which columns are numbers (right-aligned); the rest are names and read left to right.
    private static final boolean[] RIGHT = {false, false, true, true, true, true, true, false};

    private final BenchResult result;
    private final List<ModeRatio> ratios;

    /** With each mode compared to the one before it ({@link BenchResult#consecutiveRatios()}). */
    public BenchTable(BenchResult result) { this(result, result.consecutiveRatios()); }

    /** {@code ratios}: the ratios to show, each on its numerator's line. */
    public BenchTable(BenchResult result, List<ModeRatio> ratios) {
        for (ModeRatio r : ratios) {
            if (!result.modes().contains(r.numerator()) || !result.modes().contains(r.denominator())) {
                throw new IllegalArgumentException("ratio " + r.label() + " names a mode not in " + result.modes());
            }
        }
        this.result = result;
        this.ratios = List.copyOf(ratios);
    }

    /** The title, a caption saying what the numbers are, the table, a blank line and the per-row summary lines. */
    public String render(String title) {
        StringBuilder out = new StringBuilder();
        out.append(title).append('\n');
        var runs = result.uniformRuns();
        out.append("ns per iteration over ").append(runs.isPresent() ? runs.getAsInt() + " runs" : "repeated runs")
                .append(": median, spread = min and max run; traps/iter = VMM traps per guest iteration\n");
        out.append(table());
        out.append('\n');
        for (String row : result.rows()) out.append(summary(row)).append('\n');
        return out.toString();
    }

    /** Header, rule and one line per (row, mode); a blank line between rows. */
    String table() {
        List<String[]> lines = new ArrayList<>();
        int ratioLabelWidth = ratios.stream().mapToInt(r -> r.label().length()).max().orElse(0);
        for (String row : result.rows()) {
            boolean first = true;
            for (String mode : result.modes()) {
                var cell = result.get(row, mode);
                if (cell.isEmpty()) continue;
                Measurement m = cell.get();
                Samples s = m.nsPerIteration();
                lines.add(new String[] {first ? row : "", mode, ReportFormat.ns(s.median()), ReportFormat.ns(s.min()),
                        ReportFormat.ns(s.max()), Integer.toString(m.runs()), ReportFormat.significant(m.trapsPerIteration()),
                        ratiosOf(row, mode, ratioLabelWidth)});
                first = false;
            }
            lines.add(null);   // between rows
        }
        lines.removeLast();

        int[] width = new int[HEADER.length];
        for (int c = 0; c < HEADER.length; c++) width[c] = Math.max(HEADER[c].length(), UNITS[c].length());
        for (String[] line : lines) {
            if (line == null) continue;
            for (int c = 0; c < line.length; c++) width[c] = Math.max(width[c], line[c].length());
        }
        String[] rule = new String[HEADER.length];
        for (int c = 0; c < rule.length; c++) rule[c] = "-".repeat(width[c]);

        StringBuilder out = new StringBuilder();
        appendLine(out, HEADER, width);
        appendLine(out, UNITS, width);
        appendLine(out, rule, width);
        for (String[] line : lines) {
            if (line == null) out.append('\n');
            else appendLine(out, line, width);
        }
        return out.toString();
    }

    /** The ratios whose numerator is {@code mode}, e.g. "full/emulate 37.2x", labels padded so the values align. */
    private String ratiosOf(String row, String mode, int labelWidth) {
        List<String> parts = new ArrayList<>();
        for (ModeRatio r : ratios) {
            if (!r.numerator().equals(mode)) continue;
            OptionalDouble value = result.ratio(row, r);
            if (value.isEmpty()) continue;
            String text = ReportFormat.ratio(value.getAsDouble());
            parts.add(r.label() + " ".repeat(labelWidth - r.label().length() + 7 - text.length()) + text);
        }
        return String.join(", ", parts);
    }

    private static void appendLine(StringBuilder out, String[] cells, int[] width) { appendLine(out, cells, width, RIGHT); }

    /** One line of a table: each cell padded to its column's width, on the right or the left as {@code right} says. */
    static void appendLine(StringBuilder out, String[] cells, int[] width, boolean[] right) {
        StringBuilder line = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) line.append(GAP);
            String pad = " ".repeat(width[c] - cells[c].length());
            line.append(right[c] ? pad + cells[c] : cells[c] + pad);
        }
        out.append(line.toString().stripTrailing()).append('\n');
    }

    /**
     * "cli_sti: emulate is 37.2x faster than full (12 ns vs 447 ns)", and with more modes "… and 41.0x faster than
     * para (492 ns)". When the winner's runs overlap the runner-up's (its slowest run is slower than the other's
     * fastest) the win is flagged "within noise": the order could flip on the next run.
     */
    public String summary(String row) {
        List<Measurement> ordered = result.fastestFirst(row);
        Measurement winner = ordered.getFirst();
        if (ordered.size() == 1) {
            return row + ": only " + winner.mode() + " measured (" + ReportFormat.nsInText(winner.median()) + ")";
        }
        List<String> clauses = new ArrayList<>();
        for (int i = 1; i < ordered.size(); i++) {
            Measurement slower = ordered.get(i);
            StringBuilder clause = new StringBuilder();
            if (winner.median() > 0) clause.append(ReportFormat.ratio(slower.median() / winner.median())).append(' ');
            clause.append("faster than ").append(slower.mode()).append(" (");
            if (i == 1) clause.append(ReportFormat.nsInText(winner.median())).append(" vs ");
            clause.append(ReportFormat.nsInText(slower.median()));
            if (i == 1 && winner.nsPerIteration().rangeOverlaps(slower.nsPerIteration())) clause.append(", within noise");
            clauses.add(clause.append(')').toString());
        }
        String last = clauses.removeLast();
        String all = clauses.isEmpty() ? last : String.join(", ", clauses) + " and " + last;
        return row + ": " + winner.mode() + " is " + all;
    }
}
