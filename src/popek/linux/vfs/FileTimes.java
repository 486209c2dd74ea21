package popek.linux.vfs;

import java.time.Instant;

/**
 * The wall clock file timestamps are taken from, in nanoseconds since the epoch: the host's clock sampled once and
 * advanced by its monotonic clock, so stamping a write allocates nothing (as the kernel's CLOCK_REALTIME does).
 */
public final class FileTimes {
    private FileTimes() { }

    private static final long BASE_NANO = System.nanoTime();
    private static final long BASE_REAL;

    static {
        Instant now = Instant.now();
        BASE_REAL = now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    /** utimensat's special nanosecond values: the current time, and "leave it alone". */
    public static final long UTIME_NOW = (1L << 30) - 1, UTIME_OMIT = (1L << 30) - 2;

    /** Now, in nanoseconds since the epoch. */
    public static long now() { return BASE_REAL + (System.nanoTime() - BASE_NANO); }

    /** Writes {@code nanos} into a StatBuf's seconds and nanoseconds pair (returns the seconds). */
    public static long seconds(long nanos) { return Math.floorDiv(nanos, 1_000_000_000L); }

    public static int nanosOf(long nanos) { return (int) Math.floorMod(nanos, 1_000_000_000L); }

    /** Relatime: an access updates atime only when it is not newer than mtime or ctime, or a day old. */
    public static boolean atimeDue(long atime, long mtime, long ctime, long now) {
        return atime <= mtime || atime <= ctime || now - atime >= 86_400_000_000_000L;
    }
}
