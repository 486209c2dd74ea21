package popek.cpu;

/**
 * The guest's time-stamp counter: the virtual clock scaled to a configurable frequency, plus whatever the guest wrote
 * to it (MSR 0x10). It counts virtual time, as the PIT and the RTC do, so a guest that calibrates its TSC against the
 * PIT gets the configured frequency, and a run's figures in cycles do not depend on the host CPU.
 */
public final class VirtualTsc {
    /** The default frequency: 1 GHz, one tick per virtual nanosecond. */
    public static final long DEFAULT_HZ = 1_000_000_000L;

    /** The highest frequency {@link #read} computes without overflow. */
    public static final long MAX_HZ = 8_000_000_000L;

    private final VirtualClock clock;
    private final long hz;
    private long offset;

    public VirtualTsc(VirtualClock clock, long hz) {
        if (hz <= 0 || hz > MAX_HZ) throw new IllegalArgumentException("TSC frequency " + hz);
        this.clock = clock;
        this.hz = hz;
    }

    public long hz() { return hz; }

    public long read() {
        long ns = clock.nanos();
        // ns * hz / 1e9 without overflow for any run shorter than centuries: whole seconds, then the rest.
        long ticks = (ns / 1_000_000_000L) * hz + (ns % 1_000_000_000L) * hz / 1_000_000_000L;
        return ticks + offset;
    }

    /** wrmsr to IA32_TIME_STAMP_COUNTER: the counter reads {@code value} now and counts on from there. */
    public void write(long value) { offset += value - read(); }
}
