package popek.stats;

import java.util.Objects;

/**
 * A ratio of medians between two modes, {@code numerator / denominator}: {@code full/emulate} = 37.2 means a full-mode
 * iteration takes 37.2 times as long as an emulated one.
 */
public record ModeRatio(String numerator, String denominator) {
    public ModeRatio {
        Objects.requireNonNull(numerator, "numerator");
        Objects.requireNonNull(denominator, "denominator");
        if (numerator.equals(denominator)) throw new IllegalArgumentException("a mode against itself: " + numerator);
    }

    /** Parses {@code "full/emulate"}. */
    public static ModeRatio parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || text.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("not a ratio of two modes (e.g. full/emulate): " + text);
        }
        return new ModeRatio(text.substring(0, slash).strip(), text.substring(slash + 1).strip());
    }

    /** {@code "full/emulate"}: the column header. */
    public String label() { return numerator + "/" + denominator; }
}
