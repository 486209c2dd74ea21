package popek.stats;

import java.util.List;

/**
 * The benchmark as data, for spreadsheets and plotting scripts: RFC 4180 CSV (CRLF line ends, a header line, fields
 * containing a comma, a double quote, CR or LF enclosed in double quotes with inner quotes doubled), one line per
 * (row, mode) in the table's order. Columns:
 *
 * <dl>
 *   <dt>row</dt><dd>the instruction class or workload</dd>
 *   <dt>mode</dt><dd>the execution mode (emulate, full, para)</dd>
 *   <dt>median_ns_per_iter, min, max, p25, p75</dt><dd>host ns per guest iteration over the runs: median, extremes
 *       and quartiles (linear interpolation between closest ranks, {@link Samples#quantile})</dd>
 *   <dt>runs</dt><dd>how many runs the statistics are over</dd>
 *   <dt>traps_per_iter</dt><dd>VMM traps per guest iteration</dd>
 *   <dt>exits</dt><dd>run-loop exits in one run</dd>
 *   <dt>iterations</dt><dd>guest iterations per run</dd>
 * </dl>
 *
 * Numbers are plain decimals with a dot, never in exponent form, to six significant digits.
 */
public final class BenchCsv {
    public static final List<String> HEADER = List.of("row", "mode", "median_ns_per_iter", "min", "max", "p25", "p75",
            "runs", "traps_per_iter", "exits", "iterations");
    private static final String CRLF = "\r\n";

    private BenchCsv() {}

    public static String render(BenchResult result) {
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", HEADER)).append(CRLF);
        for (Measurement m : result.measurements()) {
            Samples s = m.nsPerIteration();
            List<String> fields = List.of(field(m.row()), field(m.mode()), ReportFormat.plain(s.median()),
                    ReportFormat.plain(s.min()), ReportFormat.plain(s.max()), ReportFormat.plain(s.p25()),
                    ReportFormat.plain(s.p75()), Integer.toString(m.runs()), ReportFormat.plain(m.trapsPerIteration()),
                    Long.toString(m.exits()), Long.toString(m.iterations()));
            out.append(String.join(",", fields)).append(CRLF);
        }
        return out.toString();
    }

    /** One text field, quoted only when RFC 4180 requires it. */
    static String field(String text) {
        boolean quote = text.indexOf(',') >= 0 || text.indexOf('"') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0;
        return quote ? '"' + text.replace("\"", "\"\"") + '"' : text;
    }
}
