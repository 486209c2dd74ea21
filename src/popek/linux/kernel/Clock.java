package popek.linux.kernel;

import java.time.Instant;

/**
 * The kernel's time: CLOCK_MONOTONIC from its boot (the host's monotonic clock) and CLOCK_REALTIME (the host's wall
 * clock, sampled once at boot and advanced by the monotonic clock, so reading it allocates nothing).
 */
public final class Clock {
    private final long bootNano = System.nanoTime();
    private final long realtimeAtBoot;

    public Clock() {
        Instant now = Instant.now();
        realtimeAtBoot = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** Nanoseconds since the kernel started. */
    public long monotonic() { return System.nanoTime() - bootNano; }

    /** Nanoseconds since the epoch. */
    public long realtime() { return realtimeAtBoot + monotonic(); }
}
