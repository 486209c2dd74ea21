package popek.stats;

/** How a chart maps values to bar lengths. */
public enum AxisScale {
    /** From zero, lengths proportional to values: for rows of similar cost. */
    LINEAR,
    /** Whole decades, each the same length: for costs spanning 1 ns to 10 µs, where linear bars would flatten. */
    LOG
}
