package popek.stats;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A whole benchmark: rows (instruction classes or workloads, in the order first measured) by modes (in the order
 * given, which is also the order of the table's lines, the chart's bars and its colours). A row need not have every
 * mode (a workload may have no para-virtual variant); reports show such a cell as missing.
 */
public final class BenchResult {
    private final List<String> modes;
    private final List<String> rows;
    private final Map<String, Map<String, Measurement>> byRowThenMode = new LinkedHashMap<>();

    /** {@code modes}: the columns, in display order; every measurement's mode must be one of them. */
    public BenchResult(List<String> modes, List<Measurement> measurements) {
        this.modes = List.copyOf(modes);
        if (this.modes.isEmpty()) throw new IllegalArgumentException("no modes");
        if (new LinkedHashSet<>(this.modes).size() != this.modes.size()) {
            throw new IllegalArgumentException("a mode is listed twice: " + this.modes);
        }
        for (Measurement m : measurements) {
            if (!this.modes.contains(m.mode())) {
                throw new IllegalArgumentException("measurement of " + m.row() + " in mode " + m.mode() + ", not one of " + this.modes);
            }
            Map<String, Measurement> cells = byRowThenMode.computeIfAbsent(m.row(), r -> new LinkedHashMap<>());
            if (cells.putIfAbsent(m.mode(), m) != null) {
                throw new IllegalArgumentException("two measurements of " + m.row() + " in mode " + m.mode());
            }
        }
        if (byRowThenMode.isEmpty()) throw new IllegalArgumentException("no measurements");
        this.rows = List.copyOf(byRowThenMode.keySet());
    }

    public List<String> modes() { return modes; }

    public List<String> rows() { return rows; }

    public Optional<Measurement> get(String row, String mode) {
        return Optional.ofNullable(byRowThenMode.getOrDefault(row, Map.of()).get(mode));
    }

    /** The row's measurements in mode order, skipping modes it lacks. */
    public List<Measurement> measurements(String row) {
        List<Measurement> out = new ArrayList<>();
        for (String mode : modes) get(row, mode).ifPresent(out::add);
        return out;
    }

    /** Every measurement, row by row, in mode order within a row. */
    public List<Measurement> measurements() {
        List<Measurement> out = new ArrayList<>();
        for (String row : rows) out.addAll(measurements(row));
        return out;
    }

    /** Ratio of the two modes' medians for {@code row}; empty if either is missing or the denominator is zero. */
    public OptionalDouble ratio(String row, ModeRatio ratio) {
        Optional<Measurement> num = get(row, ratio.numerator());
        Optional<Measurement> den = get(row, ratio.denominator());
        if (num.isEmpty() || den.isEmpty() || den.get().median() == 0) return OptionalDouble.empty();
        return OptionalDouble.of(num.get().median() / den.get().median());
    }

    /**
     * Each mode against the one before it: for emulate, full, para that is full/emulate and para/full, the two
     * questions the modes answer (what hardware-style trapping costs over emulation, what para-virtualisation saves).
     */
    public List<ModeRatio> consecutiveRatios() {
        List<ModeRatio> out = new ArrayList<>();
        for (int i = 1; i < modes.size(); i++) out.add(new ModeRatio(modes.get(i), modes.get(i - 1)));
        return out;
    }

    /** The row's measurements from fastest to slowest median (ties keep mode order). */
    public List<Measurement> fastestFirst(String row) {
        List<Measurement> out = measurements(row);
        out.sort(Comparator.comparingDouble(Measurement::median));
        return out;
    }

    /** The number of runs behind every cell, or empty when cells differ (then reports give it per cell). */
    public OptionalInt uniformRuns() {
        int runs = measurements().getFirst().runs();
        for (Measurement m : measurements()) if (m.runs() != runs) return OptionalInt.empty();
        return OptionalInt.of(runs);
    }
}
