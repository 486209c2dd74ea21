package popek.para;

import popek.devices.Timed;

/** HC_SET_TIMER's one-shot timer: at its deadline (virtual ns) it raises {@link PvAbi#EV_TIMER}. */
final class PvTimer implements Timed {
    private final EventSink events;
    private long deadline = NEVER;

    PvTimer(EventSink events) { this.events = events; }

    /** Arms the timer for absolute virtual time {@code at} (0 cancels it). A time already past fires at the next look. */
    void set(long at) { deadline = at == 0 ? NEVER : at; }

    boolean armed() { return deadline != NEVER; }

    @Override
    public long nextDeadline() { return deadline; }

    @Override
    public void advance(long now) {
        if (deadline <= now) {
            deadline = NEVER;
            events.raise(PvAbi.EV_TIMER);
        }
    }
}
