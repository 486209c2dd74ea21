package popek.cpu;

import popek.devices.Timed;

/** The devices that keep time: brought up to virtual time between runs, and asked for their next deadline. */
final class TimedDevices {
    private final Timed[] timed;

    TimedDevices(Timed[] timed) { this.timed = timed.clone(); }

    /** Advances every device that is due to {@code now}; returns the earliest next deadline. */
    long advance(long now) {
        long next = Timed.NEVER;
        for (Timed t : timed) {
            if (t.nextDeadline() <= now) t.advance(now);
            next = Math.min(next, t.nextDeadline());
        }
        return next;
    }

    /** The earliest deadline worth stopping a running guest for ({@link Timed#wakesGuest}). */
    long nextWaking() {
        long next = Timed.NEVER;
        for (Timed t : timed) if (t.wakesGuest()) next = Math.min(next, t.nextDeadline());
        return next;
    }
}
