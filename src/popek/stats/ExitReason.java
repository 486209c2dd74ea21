package popek.stats;

/** Why {@code uc_emu_start} returned to the run loop. */
public enum ExitReason {
    TIMER("timer (a device deadline came due)"),
    EVENT("event (interrupt to deliver, input, device request)"),
    HALT("hlt"),
    STOP("machine stop");

    public final String label;

    ExitReason(String label) { this.label = label; }
}
