package popek.cpu;

import popek.devices.Clock;

/**
 * The machine's virtual time, in nanoseconds since power-on: what the timers count, the RTC and the TSC show, and the
 * run loop's deadlines are in. Readable from any thread. Three kinds:
 * <ul>
 *   <li>{@link #host()}: the host's monotonic clock, the default: guest time is real time.</li>
 *   <li>{@link #cpuTime()}: the CPU time the vCPU's thread has used, and, whenever it sleeps in {@code hlt}, a jump
 *       straight to the next deadline. Guest time then moves only as the guest runs, so a host that deschedules
 *       the vCPU, or wakes it late, shows the guest no gap: what a test guest sees of time no longer depends on the
 *       host's load (and an idle guest's waits take no host time).</li>
 *   <li>{@link #manual()}: only what {@link Manual#set} and {@link Manual#advance} say, and the same jumps over
 *       {@code hlt}: for tests that drive time by hand.</li>
 * </ul>
 * The last two are for tests and benchmarks where the clock is not what is measured; a guest that waits in
 * {@code hlt} for input from the host (a terminal) must use the host clock, or its waits are skipped.
 */
public abstract sealed class VirtualClock implements Clock permits VirtualClock.Host, VirtualClock.CpuTime, VirtualClock.Manual {
    private VirtualClock() { }

    public static VirtualClock host() { return new Host(); }

    public static VirtualClock cpuTime() { return new CpuTime(); }

    public static Manual manual() { return new Manual(); }

    /**
     * Stops virtual time while a debugger holds the machine, as QEMU's virtual clock stands still while the VM is
     * stopped (timers, the TSC and --timeout wait). Only the host clock runs on by itself: CPU time does not move
     * while the vCPU's thread waits for the debugger, manual time only when set, and neither skips ahead while the
     * debugger holds the timers. vCPU thread.
     */
    public void freeze() { }

    /** Lets virtual time run on from where {@link #freeze} stopped it. vCPU thread. */
    public void thaw() { }

    /** What runs the vCPU, given when its run starts (by the {@link Preemptor}). */
    void runsOn(VcpuHost vcpu) { }

    /** Does this clock follow the vCPU's CPU time (so a scheduled vCPU must measure its slices)? */
    boolean followsCpuTime() { return false; }

    /** {@link #hostWaitFor}'s answer when the vCPU sleeps and this clock may jump to the deadline ({@link #skipTo}). */
    static final long IDLE = -1;

    /**
     * How long (host ns) the timer thread should sleep before {@code deadline} (virtual ns) may have come; 0 if it has;
     * {@link #IDLE} when this clock skips idle time and finds the vCPU sleeping in {@code hlt}: the caller then checks
     * the deadline is still the one the vCPU sleeps towards before it moves time there.
     */
    abstract long hostWaitFor(long deadline, VcpuHost vcpu);

    /** Moves time forward to {@code deadline}, the one the sleeping vCPU waits for (a clock that skips idle time). */
    void skipTo(long deadline) { throw new IllegalStateException("this clock does not skip idle time"); }

    /** The run loop published its next deadline (it may be about to sleep until then). */
    void deadlinePublished() { }

    /** Does this clock move time over the vCPU's sleep (so the timer thread must look whenever a deadline comes)? */
    boolean skipsIdle() { return false; }

    /** Is the vCPU asleep (halted, off any CPU: the run loop's only wait)? */
    static boolean sleeping(VcpuHost vcpu) { return vcpu.sleeping(); }

    /** The host's monotonic clock since the machine was built, less the time a debugger held the machine stopped. */
    static final class Host extends VirtualClock {
        private volatile long origin = System.nanoTime();
        /** The virtual time at which the clock stands while frozen, or -1. */
        private volatile long frozenAt = -1;

        @Override
        public long nanos() {
            long f = frozenAt;
            return f >= 0 ? f : System.nanoTime() - origin;
        }

        @Override
        public void freeze() {
            if (frozenAt < 0) frozenAt = Math.max(0, System.nanoTime() - origin);
        }

        @Override
        public void thaw() {
            long f = frozenAt;
            if (f < 0) return;
            origin = System.nanoTime() - f;
            frozenAt = -1;
        }

        @Override
        long hostWaitFor(long deadline, VcpuHost vcpu) { return Math.max(0, deadline - nanos()); }
    }

    /**
     * The vCPU thread's CPU time since its run began, plus the idle time skipped. Reading a thread's CPU time is a
     * system call (measured: 5 us here), so the vCPU thread, which reads the clock on every device access, reads it
     * once every {@link #SAMPLE_NANOS} of host time and in between lets it run at host rate; that interpolation is
     * at most a sample ahead, and the clock stands still rather than go back when a sample finds less CPU time than
     * host time went by (the vCPU was descheduled): the guest may see at most a sample of a host's stall, not all of it.
     */
    static final class CpuTime extends VirtualClock {
        private static final long SAMPLE_NANOS = 200_000;
        /** While the vCPU runs, the timer thread looks again this often: CPU time moves no faster than host time. */
        private static final long POLL_NANOS = 1_000_000;
        /** Just after a deadline is published the vCPU may be about to sleep: the timer thread looks again sooner. */
        private static final long SOON_NANOS = 20_000;

        private volatile VcpuHost vcpu;
        private volatile long origin;
        /** Idle time skipped (written by the timer thread only). */
        private volatile long skipped;
        /** The vCPU thread's own reading: its last sample (virtual and host time), and the last value it returned. */
        private long sampled, sampledAt, returned;
        /** The last value any reading found while the vCPU thread lived: what is read once it has ended. */
        private volatile long last;
        private volatile long publishedAt;

        @Override
        void runsOn(VcpuHost t) {
            origin = t.cpuNanos();
            vcpu = t;
        }

        @Override
        boolean followsCpuTime() { return true; }

        @Override
        public long nanos() {
            VcpuHost t = vcpu;
            if (t == null) return skipped;
            if (!t.onVcpu()) return exact(t);
            long h = System.nanoTime();
            long v;
            if (h - sampledAt >= SAMPLE_NANOS || sampledAt == 0) {
                sampled = exact(t);
                sampledAt = h;
                v = sampled;
            } else {
                v = sampled + (h - sampledAt);
            }
            if (v < returned) v = returned;   // never back: a sample that found the vCPU had been descheduled
            returned = v;
            return v;
        }

        /** The clock read through the vCPU thread's CPU time now (a system call). */
        private long exact(VcpuHost t) {
            long c = t.cpuNanos();
            if (c < 0) return last;   // the vCPU thread has ended: time stands where it stopped
            long now = Math.max(c - origin + skipped, last);
            last = now;
            return now;
        }

        @Override
        void deadlinePublished() { publishedAt = System.nanoTime(); }

        @Override
        boolean skipsIdle() { return true; }

        @Override
        long hostWaitFor(long deadline, VcpuHost t) {
            long now = nanos();
            if (now >= deadline) return 0;
            if (sleeping(t)) return IDLE;
            long poll = System.nanoTime() - publishedAt < POLL_NANOS ? SOON_NANOS : POLL_NANOS;
            return Math.min(deadline - now, poll);
        }

        @Override
        void skipTo(long deadline) {   // (timer thread only)
            long now = nanos();
            if (deadline > now) skipped += deadline - now;
        }
    }

    /** Time set by hand; in a running machine it also jumps to the next deadline whenever the vCPU sleeps. */
    public static final class Manual extends VirtualClock {
        private static final long POLL_NANOS = 1_000_000;
        private volatile long now;

        @Override
        public long nanos() { return now; }

        /** Virtual time is {@code nanos} from now on (it never goes back). */
        public void set(long nanos) {
            if (nanos < now) throw new IllegalArgumentException("virtual time cannot go back: " + nanos + " < " + now);
            now = nanos;
        }

        public void advance(long nanos) { set(now + nanos); }

        @Override
        boolean skipsIdle() { return true; }

        @Override
        long hostWaitFor(long deadline, VcpuHost t) {
            if (now >= deadline) return 0;
            return sleeping(t) ? IDLE : POLL_NANOS;
        }

        @Override
        void skipTo(long deadline) { if (deadline > now) now = deadline; }
    }
}
