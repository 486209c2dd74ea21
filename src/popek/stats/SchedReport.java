package popek.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The results of {@code popek bench sched}: per scenario and worker count, each member's share of CPU time (by the
 * scheduler's cpu.stat and by the work it did) against its fair share, Jain's fairness index over the shares
 * normalised by the fair ones, wake-up latencies, and the scheduler's switches; as a table, CSV and an SVG chart.
 */
public final class SchedReport {
    /**
     * One container or VM of a scenario: {@code fair}, {@code measured} and {@code byWork} are fractions of one worker
     * (NaN: not measured).
     */
    public record Member(String name, double fair, double measured, double byWork) { }

    private record Scenario(String name, int workers, List<Member> members, long switches, long switchNanos,
                            long medianSwitch, long elapsedNanos, String note, long p50, long p99, long max, int wakeups) {
        double jain() { return SchedReport.jain(members); }
    }

    /**
     * Members' shares as parts of what they got together (weights: a share of the CPU time the members used, whatever
     * the host's other load left them), fair shares likewise: the form in which weights are compared.
     */
    public static List<Member> relative(List<Member> members) {
        double fair = 0, measured = 0, work = 0;
        for (Member m : members) {
            fair += m.fair;
            measured += m.measured;
            work += m.byWork;
        }
        List<Member> out = new ArrayList<>();
        for (Member m : members) out.add(new Member(m.name, m.fair / fair, m.measured / measured, m.byWork / work));
        return out;
    }

    private final List<Scenario> scenarios = new ArrayList<>();

    public void add(String name, int workers, List<Member> members, long switches, long switchNanos, long medianSwitch,
                    long elapsedNanos, String note) {
        scenarios.add(new Scenario(name, workers, members, switches, switchNanos, medianSwitch, elapsedNanos,
                note == null ? "" : note, -1, -1, -1, 0));
    }

    public void addLatency(String name, int workers, List<Member> members, long p50, long p99, long max, int wakeups,
                           long switches, long switchNanos, long medianSwitch, long elapsedNanos) {
        scenarios.add(new Scenario(name, workers, members, switches, switchNanos, medianSwitch, elapsedNanos, "", p50, p99, max, wakeups));
    }

    /**
     * Jain's fairness index of the members' shares, each divided by its fair share: 1 when every one gets exactly its
     * fair share, 1/n when one gets everything. NaN with no members.
     */
    public static double jain(List<Member> members) {
        double sum = 0, squares = 0;
        for (Member m : members) {
            double x = m.measured() / m.fair();
            sum += x;
            squares += x * x;
        }
        return members.isEmpty() ? Double.NaN : sum * sum / (members.size() * squares);
    }

    /**
     * Weighted max-min fair shares of {@code workers} workers (in workers) for groups of the given weights, each able
     * to use at most {@code caps[i]} workers: a group that cannot use its weighted share gets its cap, the rest is
     * shared by the others by weight.
     */
    public static double[] fairShares(int[] weights, int[] caps, int workers) {
        int n = weights.length;
        double[] share = new double[n];
        boolean[] capped = new boolean[n];
        double left = workers;
        for (boolean changed = true; changed; ) {
            changed = false;
            double w = 0;
            for (int i = 0; i < n; i++) if (!capped[i]) w += weights[i];
            for (int i = 0; i < n; i++) {
                if (capped[i]) continue;
                double s = left * weights[i] / w;
                if (s > caps[i]) {
                    capped[i] = true;
                    share[i] = caps[i];
                    left -= caps[i];
                    changed = true;
                    break;
                }
                share[i] = s;
            }
        }
        return share;
    }

    /** The table printed to the terminal. */
    public String table() {
        StringBuilder b = new StringBuilder();
        for (Scenario s : scenarios) {
            b.append(String.format(Locale.ROOT, "%n%s, %d worker%s%s%n", s.name, s.workers, s.workers == 1 ? "" : "s",
                    s.note.isEmpty() ? "" : " (" + s.note + ")"));
            if (s.wakeups > 0) {
                b.append(String.format(Locale.ROOT, "  wake-up latency over %d wake-ups: p50 %s, p99 %s, max %s%n",
                        s.wakeups, us(s.p50), us(s.p99), us(s.max)));
            }
            if (!s.members.isEmpty()) {
                b.append(String.format(Locale.ROOT, "  %-28s %9s %12s %12s %9s%n", "", "fair", "cpu.stat", "by work", "error"));
                for (Member m : s.members) {
                    b.append(String.format(Locale.ROOT, "  %-28s %8.1f%% %11.1f%% %11s %+8.1f%%%n", m.name, 100 * m.fair,
                            100 * m.measured, Double.isNaN(m.byWork) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * m.byWork),
                            100 * (m.measured / m.fair - 1)));
                }
                b.append(String.format(Locale.ROOT, "  Jain's fairness index %.4f%n", s.jain()));
            }
            b.append(String.format(Locale.ROOT, "  scheduler: %.0f switches/s, host time per switch %.1f us median, %.1f us mean%n",
                    rate(s), s.medianSwitch / 1000.0, s.switches == 0 ? 0 : s.switchNanos / 1000.0 / s.switches));
        }
        return b.toString();
    }

    /** Switches per second over the whole scenario (start-up and end included, as the counters are). */
    private static double rate(Scenario s) { return s.switches / (s.elapsedNanos / 1e9); }

    private static String us(long ns) { return String.format(Locale.ROOT, "%.0f us", ns / 1000.0); }

    /** One line per member: scenario, workers, member, fair, measured, by work, Jain, switches/s, ns per switch, latencies. */
    public String csv() {
        StringBuilder b = new StringBuilder("scenario,workers,member,fair_share,cpu_stat_share,work_share,jain,switches_per_s,median_ns_per_switch,mean_ns_per_switch,wake_p50_ns,wake_p99_ns,wake_max_ns\n");
        for (Scenario s : scenarios) {
            List<Member> ms = s.members.isEmpty() ? List.of(new Member("", Double.NaN, Double.NaN, Double.NaN)) : s.members;
            for (Member m : ms) {
                b.append(String.format(Locale.ROOT, "\"%s\",%d,\"%s\",%s,%s,%s,%s,%.1f,%d,%.1f,%s,%s,%s%n", s.name, s.workers, m.name,
                        num(m.fair), num(m.measured), num(m.byWork), num(s.jain()), rate(s), s.medianSwitch,
                        s.switches == 0 ? 0.0 : (double) s.switchNanos / s.switches,
                        s.wakeups > 0 ? s.p50 : "", s.wakeups > 0 ? s.p99 : "", s.wakeups > 0 ? s.max : ""));
            }
        }
        return b.toString();
    }

    private static String num(double v) { return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v); }

    /** A horizontal bar per member: its measured share, with a tick at its fair share. */
    public String svg(String title) {
        int rows = 0;
        for (Scenario s : scenarios) rows += 1 + s.members.size();
        int width = 760, left = 330, barMax = 360, rowH = 18, top = 40;
        int height = top + rows * rowH + 30;
        Svg svg = new Svg();
        svg.open("svg", "xmlns", "http://www.w3.org/2000/svg", "version", "1.1", "width", width, "height", height,
                "viewBox", "0 0 " + width + " " + height, "font-family", "Helvetica, Arial, sans-serif", "font-size", 12);
        svg.text(title, "x", 10, "y", 20, "font-size", 15, "font-weight", "bold");
        double y = top;
        for (Scenario s : scenarios) {
            svg.text(s.name + ", " + s.workers + " worker" + (s.workers == 1 ? "" : "s")
                    + String.format(Locale.ROOT, " (Jain %.3f)", s.jain()), "x", 10, "y", y + 13, "font-weight", "bold");
            y += rowH;
            for (Member m : s.members) {
                double w = Math.min(1.0, m.measured) * barMax;
                svg.text(m.name, "x", 20, "y", y + 13);
                svg.leaf("rect", "x", left, "y", y + 3, "width", w, "height", rowH - 6, "fill", "#4878a8");
                double fx = left + Math.min(1.0, m.fair) * barMax;
                svg.leaf("line", "x1", fx, "y1", y, "x2", fx, "y2", y + rowH, "stroke", "#c03030", "stroke-width", 2);
                svg.text(String.format(Locale.ROOT, "%.1f%% (fair %.1f%%)", 100 * m.measured, 100 * m.fair), "x", left + barMax + 8, "y", y + 13);
                y += rowH;
            }
        }
        svg.text("bar: share of one worker's time by cpu.stat; red tick: the fair share", "x", 10, "y", height - 8, "fill", "#555");
        svg.close("svg");
        return svg.toString();
    }
}
