package popek.cgroup;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The pids controller of one cgroup: {@code pids.max}, and the tasks (threads and processes, by TID as Linux counts
 * them) charged to the cgroup and its descendants ({@code pids.current}, {@code pids.peak}), with {@code pids.events}'
 * {@code max}: the forks refused at a limit. Charges are made through {@link Cgroup#chargePids}.
 */
public final class PidsControl {
    /** "max": no limit. */
    public static final long MAX = Long.MAX_VALUE;
    /** The largest pids.max Linux accepts (PID_MAX_LIMIT, 4194304). */
    public static final long LIMIT = 4_194_304;

    private volatile long max = MAX;
    final AtomicLong current = new AtomicLong(), peak = new AtomicLong();
    /** pids.events max: forks refused because this cgroup or a descendant was at its limit; and at its own limit. */
    final AtomicLong maxEvents = new AtomicLong(), localMaxEvents = new AtomicLong();

    PidsControl() { }

    public long max() { return max; }

    /** Sets pids.max (MAX for none); 0..{@link #LIMIT}, else IllegalArgumentException. */
    public void setMax(long n) {
        if (n != MAX && (n < 0 || n > LIMIT)) throw new IllegalArgumentException("pids.max must be 0.." + LIMIT + " or max");
        max = n;
    }

    /** pids.current: tasks in this cgroup and its descendants. */
    public long current() { return current.get(); }

    public long peak() { return peak.get(); }

    /** pids.events' max (hierarchical). */
    public long maxEvents() { return maxEvents.get(); }

    /** pids.events.local's max. */
    public long localMaxEvents() { return localMaxEvents.get(); }

    void raised(long now) {
        if (now > peak.get()) peak.accumulateAndGet(now, Math::max);
    }
}
