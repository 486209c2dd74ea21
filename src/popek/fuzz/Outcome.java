package popek.fuzz;

/** How one case came out. */
enum Outcome {
    /** Both modes ran the case to its end and agree on everything. */
    AGREED("agreed"),
    /** Both modes agree; the handlers gave up part way (a fault with nowhere to resume). */
    AGREED_ABORTED("agreed (aborted)"),
    /** Both modes agree; the machine stopped before the end (triple fault, hlt with IF clear, ...). */
    AGREED_STOPPED("agreed (stopped)"),
    /** Both modes ran out of time; nothing to compare. */
    TIMED_OUT("both timed out"),
    /** The modes differ where Unicorn is known to be wrong. */
    EXPLAINED("explained"),
    /** The modes differ and no rule explains it: a bug. */
    DIVERGED("diverged");

    final String label;

    Outcome(String label) { this.label = label; }
}
