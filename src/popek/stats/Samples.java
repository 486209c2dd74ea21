package popek.stats;

import java.util.Arrays;

/**
 * The repeated measurements of one quantity (a benchmark's ns per iteration, one value per run), sorted, with the
 * order statistics the reports print. Quantiles interpolate linearly between closest ranks (Hyndman and Fan's type 7,
 * the default of numpy, R and spreadsheets' PERCENTILE.INC), so the median of an even count is the mean of the middle
 * two and every statistic is a pure function of the samples: reports are reproducible from the CSV.
 */
public record Samples(double[] sorted) {
    public Samples {
        if (sorted.length == 0) throw new IllegalArgumentException("no samples");
        sorted = sorted.clone();
        for (double v : sorted) {
            if (!Double.isFinite(v)) throw new IllegalArgumentException("sample is not a finite number: " + v);
        }
        Arrays.sort(sorted);
    }

    /** The samples in any order (one per run). */
    public static Samples of(double... values) { return new Samples(values); }

    public int count() { return sorted.length; }

    public double min() { return sorted[0]; }

    public double max() { return sorted[sorted.length - 1]; }

    public double median() { return quantile(0.5); }

    /** First quartile: the lower edge of the interquartile range. */
    public double p25() { return quantile(0.25); }

    /** Third quartile: the upper edge of the interquartile range. */
    public double p75() { return quantile(0.75); }

    /** The {@code p}-quantile, 0 ≤ p ≤ 1, interpolated linearly between the two closest ranks (type 7). */
    public double quantile(double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("quantile outside [0, 1]: " + p);
        double rank = p * (sorted.length - 1);
        int below = (int) Math.floor(rank);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (rank - below) * (sorted[above] - sorted[below]);
    }

    /** Whether the min–max ranges of the two sample sets intersect: then neither is clearly faster. */
    public boolean rangeOverlaps(Samples other) { return min() <= other.max() && other.min() <= max(); }

    /** A copy: the record must not hand out the array it sorted. */
    @Override
    public double[] sorted() { return sorted.clone(); }

    // Records compare arrays by identity; samples are values.
    @Override
    public boolean equals(Object o) { return o instanceof Samples s && Arrays.equals(sorted, s.sorted); }

    @Override
    public int hashCode() { return Arrays.hashCode(sorted); }

    @Override
    public String toString() { return "Samples" + Arrays.toString(sorted); }
}
