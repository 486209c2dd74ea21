package popek.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code bench compare}'s report: one line per (workload, mode) with the wall time of the workload (median of the runs
 * and the min-max spread), its exits and traps (median run), exits per second, and the ratios para/full and
 * full/emulate of the medians; then one verdict per workload naming the fastest mode and how many fewer exits it took.
 * A workload is one guest "iteration" of its {@link Measurement} (iterations = 1), so the per-iteration figures there
 * are per workload here.
 *
 * <pre>
 * workload  mode     wall time     min      max  exits   traps  exits/s  ratio of medians
 * disk      emulate     0.36 s  0.35 s   0.37 s   1200  540000   3300/s
 *           full        0.43 s  ...                                       full/emulate 1.19x
 *           para        0.02 s  ...                                       para/full    0.05x
 *
 * disk: para is 21.5x faster than full (20 ms vs 430 ms) and takes 250x fewer traps
 * </pre>
 */
public final class CompareTable {
    private static final String[] HEADER = {"workload", "mode", "wall time", "min", "max", "runs", "exits", "traps", "exits/s", "ratio of medians"};
    private static final boolean[] RIGHT = {false, false, true, true, true, true, true, true, true, false};
    private final BenchResult result;
    private final List<ModeRatio> ratios;

    public CompareTable(BenchResult result, List<ModeRatio> ratios) {
        this.result = result;
        this.ratios = List.copyOf(ratios);
    }

    public String render(String title) {
        StringBuilder out = new StringBuilder(title).append('\n');
        out.append("wall time of each workload between the guest's marks: median of the runs, spread = min and max run;"
                + " exits and traps of the median run\n");
        List<String[]> lines = new ArrayList<>();
        for (String row : result.rows()) {
            boolean first = true;
            for (String mode : result.modes()) {
                Optional<Measurement> cell = result.get(row, mode);
                if (cell.isEmpty()) continue;
                Measurement m = cell.get();
                Samples s = m.nsPerIteration();
                long traps = Math.round(m.trapsPerIteration());
                double perSecond = s.median() > 0 ? m.exits() / (s.median() / 1e9) : 0;
                lines.add(new String[] {first ? row : "", mode, ReportFormat.measuredDuration(s.median()), ReportFormat.measuredDuration(s.min()),
                        ReportFormat.measuredDuration(s.max()), Integer.toString(m.runs()), Long.toString(m.exits()), Long.toString(traps),
                        ReportFormat.significant(perSecond) + "/s", ratiosOf(row, mode)});
                first = false;
            }
            lines.add(null);
        }
        if (!lines.isEmpty()) lines.removeLast();
        int[] width = new int[HEADER.length];
        for (int c = 0; c < HEADER.length; c++) width[c] = HEADER[c].length();
        for (String[] l : lines) if (l != null) for (int c = 0; c < l.length; c++) width[c] = Math.max(width[c], l[c].length());
        append(out, HEADER, width);
        String[] rule = new String[HEADER.length];
        for (int c = 0; c < rule.length; c++) rule[c] = "-".repeat(width[c]);
        append(out, rule, width);
        for (String[] l : lines) {
            if (l == null) out.append('\n');
            else append(out, l, width);
        }
        out.append('\n');
        for (String row : result.rows()) out.append(verdict(row)).append('\n');
        return out.toString();
    }

    private String ratiosOf(String row, String mode) {
        List<String> parts = new ArrayList<>();
        for (ModeRatio r : ratios) {
            if (!r.numerator().equals(mode)) continue;
            result.ratio(row, r).ifPresent(v -> parts.add(r.label() + " " + ReportFormat.ratio(v)));
        }
        return String.join(", ", parts);
    }

    private static void append(StringBuilder out, String[] cells, int[] width) { BenchTable.appendLine(out, cells, width, RIGHT); }

    /**
     * "disk: para is 21.5x faster than full (20 ms vs 430 ms) and takes 250x fewer exits", the winner against the
     * runner-up, flagged "within noise" when their runs overlap.
     */
    public String verdict(String row) {
        List<Measurement> ordered = result.fastestFirst(row);
        Measurement win = ordered.getFirst();
        if (ordered.size() == 1) return row + ": only " + win.mode() + " measured (" + ReportFormat.measuredDuration(win.median()) + ")";
        Measurement next = ordered.get(1);
        StringBuilder v = new StringBuilder(row).append(": ").append(win.mode()).append(" is ");
        if (win.median() > 0) v.append(ReportFormat.ratio(next.median() / win.median())).append(' ');
        v.append("faster than ").append(next.mode()).append(" (").append(ReportFormat.measuredDuration(win.median())).append(" vs ")
                .append(ReportFormat.measuredDuration(next.median()));
        if (win.nsPerIteration().rangeOverlaps(next.nsPerIteration())) v.append(", within noise");
        v.append(')');
        v.append(" and takes ").append(fewer(win.exits(), next.exits(), "exits"));
        v.append(", ").append(fewer(Math.round(win.trapsPerIteration()), Math.round(next.trapsPerIteration()), "traps"));
        return v.toString();
    }

    private static String fewer(long mine, long theirs, String what) {
        if (mine == theirs) return "as many " + what + " (" + mine + ")";
        if (mine == 0) return "no " + what + " (vs " + theirs + ")";
        if (theirs == 0) return mine + " " + what + " (vs none)";
        double r = (double) Math.max(mine, theirs) / Math.min(mine, theirs);
        return ReportFormat.ratio(r) + (mine < theirs ? " fewer " : " more ") + what + " (" + mine + " vs " + theirs + ")";
    }
}
