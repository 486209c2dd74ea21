package popek.linux.kernel;

import popek.linux.abi.Signals;

/** alarm(2) and setitimer(ITIMER_REAL): each process's real-time timer, which sends SIGALRM when it expires. */
public final class IntervalTimers {
    private final Kernel kernel;
    private final SigInfo info = new SigInfo();
    /** No timer expires before this (monotonic ns): until then {@link #fire} has nothing to look at. */
    private long nextExpiry = Long.MAX_VALUE;

    IntervalTimers(Kernel kernel) { this.kernel = kernel; }

    /** Sets {@code g}'s timer to expire at monotonic {@code at} (MAX_VALUE: off), then every {@code interval} ns. */
    public void set(ThreadGroup g, long at, long interval) {
        g.alarmAt = at;
        g.alarmInterval = interval;
        nextExpiry = Math.min(nextExpiry, at);
        if (at != Long.MAX_VALUE) kernel.scheduler().timerSet(at);   // a task may spin until then: it is preempted
    }

    /** Nanoseconds until {@code g}'s timer expires (0: off), and its interval. */
    public long remaining(ThreadGroup g) {
        if (g.alarmAt == Long.MAX_VALUE) return 0;
        return Math.max(1, g.alarmAt - kernel.clock().monotonic());
    }

    public long interval(ThreadGroup g) { return g.alarmInterval; }

    /**
     * Sends SIGALRM for every expired timer; returns the next expiry (MAX_VALUE: none). Called whenever the kernel's
     * CPU changes hands, so it looks at the processes only when one may be due.
     */
    long fire() {
        long now = kernel.clock().monotonic(), next = Long.MAX_VALUE;
        if (now < nextExpiry) return nextExpiry;
        for (ThreadGroup g : kernel.pids().threadGroups()) {
            if (g.alarmAt == Long.MAX_VALUE || g.zombie) continue;
            if (g.alarmAt <= now) {
                g.alarmAt = g.alarmInterval > 0 ? now + g.alarmInterval : Long.MAX_VALUE;
                info.clear();
                info.signo = Signals.SIGALRM;
                info.code = Signals.SI_TIMER;
                kernel.signals().sendToGroup(g, info);
            }
            next = Math.min(next, g.alarmAt);
        }
        nextExpiry = next;
        return next;
    }
}
