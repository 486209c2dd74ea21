package popek.cpu;

import popek.devices.Clock;

/** The machine's virtual time: host monotonic time since power-on. Readable from any thread. */
public final class VirtualClock implements Clock {
    private final long origin = System.nanoTime();

    @Override
    public long nanos() { return System.nanoTime() - origin; }

    /** The host {@link System#nanoTime()} at which virtual time reaches {@code virtualNanos}. */
    long hostTime(long virtualNanos) { return origin + virtualNanos; }
}
