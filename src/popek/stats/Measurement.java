package popek.stats;

import java.util.List;
import java.util.Objects;

/**
 * One cell of a benchmark: a row (an instruction class or a workload) measured in one execution mode (emulate, full,
 * para), repeated {@code nsPerIteration.count()} times with {@code iterations} guest iterations per run.
 *
 * @param row               what was measured, e.g. {@code cli_sti}
 * @param mode              how the guest ran, e.g. {@code emulate}
 * @param iterations        guest loop iterations in each run (the divisor of the per-iteration figures)
 * @param nsPerIteration    host nanoseconds per iteration, one sample per run
 * @param trapsPerIteration VMM traps per iteration (the median over runs; a deterministic guest traps the same each run)
 * @param exits             run-loop exits in one run (the median over runs)
 */
public record Measurement(String row, String mode, long iterations, Samples nsPerIteration, double trapsPerIteration,
                          long exits) {
    public Measurement {
        Objects.requireNonNull(row, "row");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(nsPerIteration, "nsPerIteration");
        if (row.isBlank() || mode.isBlank()) throw new IllegalArgumentException("blank row or mode name");
        if (iterations <= 0) throw new IllegalArgumentException("iterations must be positive: " + iterations);
        if (!(trapsPerIteration >= 0) || Double.isInfinite(trapsPerIteration)) {
            throw new IllegalArgumentException("traps per iteration must be a finite non-negative number: " + trapsPerIteration);
        }
        if (exits < 0) throw new IllegalArgumentException("negative exit count: " + exits);
    }

    /**
     * What one timed run produced, as the bench loop sees it: wall time around the guest's iterations and the
     * {@link RunStats} totals for the same span.
     */
    public record Run(long elapsedNanos, long traps, long exits) {
        public Run {
            if (elapsedNanos < 0 || traps < 0 || exits < 0) {
                throw new IllegalArgumentException("negative count: " + elapsedNanos + " ns, " + traps + " traps, " + exits + " exits");
            }
        }
    }

    /** Turns raw runs into per-iteration figures: ns/iter per run, and the median run's traps and exits. */
    public static Measurement fromRuns(String row, String mode, long iterations, List<Run> runs) {
        if (runs.isEmpty()) throw new IllegalArgumentException("no runs for " + row + "/" + mode);
        if (iterations <= 0) throw new IllegalArgumentException("iterations must be positive: " + iterations);
        double[] ns = new double[runs.size()];
        double[] traps = new double[runs.size()];
        double[] exits = new double[runs.size()];
        for (int i = 0; i < runs.size(); i++) {
            ns[i] = (double) runs.get(i).elapsedNanos() / iterations;
            traps[i] = runs.get(i).traps();
            exits[i] = runs.get(i).exits();
        }
        return new Measurement(row, mode, iterations, Samples.of(ns), Samples.of(traps).median() / iterations,
                Math.round(Samples.of(exits).median()));
    }

    public double median() { return nsPerIteration.median(); }

    public int runs() { return nsPerIteration.count(); }
}
