package popek.devices;

/**
 * A periodic timer's expiries that fell due while the interrupt of an earlier one was still waiting for the CPU (the
 * host ran the vCPU late, or the guest kept interrupts off). They are owed to the guest and raised one at a time as
 * each earlier one is taken, as KVM's PIT does by default, so a guest that counts ticks (jiffies) keeps time and
 * one that calibrates another clock against them measures the right rate. Raising them together instead would merge
 * them in the controller's one request bit, and the guest would lose them.
 *
 * <p>The debt is capped at one second's worth of periods (at most {@value #MAX_OWED}): a guest that blocks its
 * timer for longer gets the rest dropped and counted rather than a storm of stale ticks. Nothing allocates.
 */
final class OwedTicks {
    static final int MAX_OWED = 1000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private long owed, dropped;

    /** {@code ticks} more periods of {@code periodNanos} fell due. */
    void add(long ticks, long periodNanos) {
        long cap = Math.clamp(NANOS_PER_SECOND / Math.max(1, periodNanos), 1, MAX_OWED);
        long total = owed + ticks;
        if (total > cap) {
            dropped += total - cap;
            total = cap;
        }
        owed = total;
    }

    boolean any() { return owed > 0; }

    /** One owed tick is being raised now. */
    void take() { owed--; }

    /** The timer was reprogrammed or masked: what it owed under the old setting is not an event any more. */
    void clear() { owed = 0; }

    long owed() { return owed; }

    /** Ticks given up because the debt reached its cap. */
    long dropped() { return dropped; }
}
