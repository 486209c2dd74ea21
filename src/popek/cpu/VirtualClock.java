package popek.cpu;

import popek.devices.Clock;

/**
 * The machine's virtual time: host monotonic time since power-on, less the time a debugger held the machine stopped
 * ({@link #freeze}), as QEMU's virtual clock stands still while the VM is stopped. Readable from any thread.
 */
public final class VirtualClock implements Clock {
    private volatile long origin = System.nanoTime();
    /** The virtual time at which the clock stands while frozen, or -1. */
    private volatile long frozenAt = -1;

    @Override
    public long nanos() {
        long f = frozenAt;
        return f >= 0 ? f : System.nanoTime() - origin;
    }

    /** Stops virtual time (the debugger holds the machine): timers, the TSC and --timeout wait. vCPU thread. */
    public void freeze() {
        if (frozenAt < 0) frozenAt = Math.max(0, System.nanoTime() - origin);
    }

    /** Lets virtual time run on from where {@link #freeze} stopped it. vCPU thread. */
    public void thaw() {
        long f = frozenAt;
        if (f < 0) return;
        origin = System.nanoTime() - f;
        frozenAt = -1;
    }

    /** The host {@link System#nanoTime()} at which virtual time reaches {@code virtualNanos}. */
    long hostTime(long virtualNanos) { return origin + virtualNanos; }
}
