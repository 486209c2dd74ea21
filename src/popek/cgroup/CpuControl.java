package popek.cgroup;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The cpu controller of one cgroup: what cgroup-v2.rst's {@code cpu.weight} and {@code cpu.max} set, and the
 * {@code cpu.stat} counters the scheduler adds to as it runs the group's tasks (a cgroup's usage includes its
 * descendants': the scheduler charges each level up to the root).
 */
public final class CpuControl {
    /** cpu.weight's range and default. */
    public static final int MIN_WEIGHT = 1, MAX_WEIGHT = 10_000, DEFAULT_WEIGHT = 100;
    /** cpu.max's default period, and the quota meaning "max" (no limit). */
    public static final long DEFAULT_PERIOD_USEC = 100_000, NO_QUOTA = -1;

    private volatile int weight = DEFAULT_WEIGHT;
    private volatile long quotaUsec = NO_QUOTA;
    private volatile long periodUsec = DEFAULT_PERIOD_USEC;

    /** cpu.stat: CPU time used (user + system), user, system; bandwidth periods, those throttled, time throttled. */
    public final AtomicLong usageUsec = new AtomicLong(), userUsec = new AtomicLong(), systemUsec = new AtomicLong(),
            nrPeriods = new AtomicLong(), nrThrottled = new AtomicLong(), throttledUsec = new AtomicLong();

    public int weight() { return weight; }

    /** Sets cpu.weight; out of 1..10000 is EINVAL's IllegalArgumentException. */
    public void setWeight(int w) {
        if (w < MIN_WEIGHT || w > MAX_WEIGHT) throw new IllegalArgumentException("cpu.weight must be 1..10000");
        weight = w;
    }

    /** cpu.max's quota in microseconds per period, or {@link #NO_QUOTA}. */
    public long quotaUsec() { return quotaUsec; }

    public long periodUsec() { return periodUsec; }

    /** Sets cpu.max: a quota (or NO_QUOTA) and a period, each as cgroup-v2.rst bounds them (1 ms .. 1 s period). */
    public synchronized void setMax(long quota, long period) {
        if (period < 1_000 || period > 1_000_000) throw new IllegalArgumentException("cpu.max period must be 1000..1000000");
        if (quota != NO_QUOTA && quota < 1_000) throw new IllegalArgumentException("cpu.max quota must be at least 1000");
        quotaUsec = quota;
        periodUsec = period;
    }
}
