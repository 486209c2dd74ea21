package popek.devices;

/**
 * One counter of an Intel 8254, modelled arithmetically: instead of decrementing per input clock, it remembers the
 * tick at which counting began and derives the count and the OUT pin from the ticks elapsed since. All times are in
 * input-clock ticks (1.193182 MHz) since power-on.
 *
 * <p>Modes 0-5 (6 and 7 are 2 and 3) follow the datasheet's OUT waveforms, with two simplifications documented in
 * {@link Pit8254}: a new count takes effect at once in every mode (a real 8254 in modes 2 and 3 waits for the end of
 * the current period), and a count of 1 in modes 2 and 3 (illegal there) behaves as 2.
 */
final class PitChannel {
    static final long NO_EVENT = Long.MAX_VALUE;
    private static final int ACCESS_LOW = 1, ACCESS_HIGH = 2, ACCESS_WORD = 3;
    private static final int LATCH_NONE = 0, LATCH_LOW = 1, LATCH_HIGH = 2, LATCH_LOW_THEN_HIGH = 3;

    private boolean programmed;   // false until the first control word: OUT low, nothing counts
    private int mode;             // as written (0-7)
    private boolean bcd;
    private int access = ACCESS_WORD;
    private int reload;           // the initial count: 1..65536, or 1..10000 in BCD
    private boolean countWritten; // since the last control word
    private boolean counting;     // the counting element runs: a count is loaded (and, in modes 1 and 5, triggered)
    private boolean nullCount;    // status bit 6: a count was written but not yet loaded
    private long loadTick;
    private int heldCount;        // what a stopped counter reads
    private boolean gate;
    private boolean gatePaused;   // gate low in modes 0, 2, 3, 4: counting is suspended
    private long pausedElapsed;

    private boolean writeHighNext, readHighNext;
    private int writeLow;
    private int latchState = LATCH_NONE, latchedCount;
    private boolean statusLatched;
    private int status;

    PitChannel(boolean gateHigh) { this.gate = gateHigh; }

    private int effectiveMode() { return mode >= 6 ? mode - 4 : mode; }

    private int modulus() { return bcd ? 10_000 : 65_536; }

    /** Modes 2 and 3 divide by the count; 1 is illegal there and would mean an edge every tick. */
    private long period() { return Math.max(2, reload); }

    private long elapsed(long tick) { return gatePaused ? pausedElapsed : tick - loadTick; }

    /** Input-clock ticks per period in modes 2 and 3. */
    long periodTicks() { return period(); }

    /** True while OUT can change by itself: counting, not held by the gate. */
    boolean running() { return counting && !gatePaused; }

    // ---------------------------------------------------------------- programming

    void program(int newMode, boolean newBcd, int newAccess, long tick) {
        if (counting) heldCount = counter(tick);
        programmed = true;
        mode = newMode;
        bcd = newBcd;
        access = newAccess;
        countWritten = counting = gatePaused = false;
        nullCount = true;
        writeHighNext = readHighNext = false;
        // Reprogramming discards an unread latch.
        latchState = LATCH_NONE;
        statusLatched = false;
    }

    void writeCount(int b, long tick) {
        switch (access) {
            case ACCESS_LOW -> load(b, tick);
            case ACCESS_HIGH -> load(b << 8, tick);
            default -> {
                if (!writeHighNext) {
                    writeLow = b;
                    writeHighNext = true;
                    // Mode 0 stops counting (OUT low) on the first byte of a new count.
                    if (effectiveMode() == 0 && counting) {
                        heldCount = counter(tick);
                        counting = gatePaused = false;
                    }
                } else {
                    writeHighNext = false;
                    load(writeLow | b << 8, tick);
                }
            }
        }
    }

    private void load(int raw, long tick) {
        raw &= 0xFFFF;
        int n = bcd ? fromBcd(raw) : raw;
        reload = n == 0 ? modulus() : n;
        countWritten = true;
        nullCount = false;   // loaded at once: there is no next-clock delay here
        if (!programmed) return;
        int m = effectiveMode();
        if (m == 1 || m == 5) {
            if (counting) heldCount = counter(tick);
            counting = false;   // a hardware-triggered mode waits for a rising gate
        } else {
            start(tick, !gate);
        }
    }

    private void start(long tick, boolean paused) {
        counting = true;
        loadTick = tick;
        gatePaused = paused;
        pausedElapsed = 0;
    }

    void setGate(boolean high, long tick) {
        if (high == gate) return;
        gate = high;
        if (!programmed) return;
        switch (effectiveMode()) {
            case 0, 4 -> {   // the gate suspends counting
                if (!counting) return;
                if (!high) {
                    pausedElapsed = tick - loadTick;
                    gatePaused = true;
                } else if (gatePaused) {
                    loadTick = tick - pausedElapsed;
                    gatePaused = false;
                }
            }
            case 2, 3 -> {   // gate low holds OUT high; the rising edge reloads
                if (!counting) return;
                if (!high) {
                    pausedElapsed = tick - loadTick;
                    gatePaused = true;
                } else {
                    start(tick, false);
                }
            }
            default -> {     // 1, 5: the rising edge triggers (or retriggers)
                if (high && countWritten) start(tick, false);
            }
        }
    }

    boolean gate() { return gate; }

    // ---------------------------------------------------------------- the counting element and OUT

    /** The counting element's value now (binary, 0 meaning 65536 or 10000). */
    private int counter(long tick) {
        if (!counting) return heldCount;
        long d = elapsed(tick);
        long v = switch (effectiveMode()) {
            case 2 -> period() - d % period();
            case 3 -> period() - (2 * d) % period();   // mode 3 counts down by two, twice per period
            default -> Math.floorMod(reload - d, (long) modulus());
        };
        return (int) (v % modulus());
    }

    boolean output(long tick) {
        if (!programmed) return false;
        int m = effectiveMode();
        if (!counting) return m != 0;   // after the control word OUT is low in mode 0, high in all others
        long d = elapsed(tick);
        return switch (m) {
            case 0, 1 -> d >= reload;
            case 2 -> gatePaused || d % period() != period() - 1;
            case 3 -> gatePaused || d % period() < (period() + 1) / 2;
            default -> d != reload;   // 4, 5: one tick low at terminal count
        };
    }

    /**
     * The level an IRQ line driven by this counter shows between events: OUT, except in mode 2, where the line
     * idles low and pulses once per period (as QEMU models it), so that setting mode 2 is not itself an edge.
     */
    boolean lineLevel(long tick) { return effectiveMode() != 2 && output(tick); }

    /** How many low-to-high transitions of OUT happen in ticks (from, to]; only meaningful while running. */
    long risingEdges(long from, long to) {
        long d0 = Math.max(0, from - loadTick), d1 = to - loadTick;
        if (d1 <= d0) return 0;
        return switch (effectiveMode()) {
            case 0, 1 -> d0 < reload && d1 >= reload ? 1 : 0;
            case 2, 3 -> d1 / period() - d0 / period();
            default -> d0 <= reload && d1 > reload ? 1 : 0;   // back high the tick after terminal count
        };
    }

    /** The first tick after {@code after} at which OUT changes (a mode 2/4/5 pulse counts once, as its rising edge). */
    long nextEventTick(long after) {
        if (!running()) return NO_EVENT;
        long d = Math.max(0, after - loadTick);
        long p = period();
        return switch (effectiveMode()) {
            case 0, 1 -> d < reload ? loadTick + reload : NO_EVENT;
            case 2 -> loadTick + (d / p + 1) * p;
            case 3 -> {
                long within = d % p, half = (p + 1) / 2;
                yield loadTick + d - within + (within < half ? half : p);
            }
            default -> d <= reload ? loadTick + reload + 1 : NO_EVENT;
        };
    }

    // ---------------------------------------------------------------- reading

    void latchCount(long tick) {
        if (latchState != LATCH_NONE) return;   // a second latch before the first is read is ignored
        latchedCount = readableCount(tick);
        latchState = switch (access) {
            case ACCESS_LOW -> LATCH_LOW;
            case ACCESS_HIGH -> LATCH_HIGH;
            default -> LATCH_LOW_THEN_HIGH;
        };
    }

    void latchStatus(long tick) {
        if (statusLatched) return;
        status = (output(tick) ? 0x80 : 0) | (nullCount ? 0x40 : 0) | access << 4 | mode << 1 | (bcd ? 1 : 0);
        statusLatched = true;
    }

    int readByte(long tick) {
        if (statusLatched) {
            statusLatched = false;
            return status;
        }
        switch (latchState) {
            case LATCH_LOW -> {
                latchState = LATCH_NONE;
                return latchedCount & 0xFF;
            }
            case LATCH_HIGH -> {
                latchState = LATCH_NONE;
                return latchedCount >>> 8;
            }
            case LATCH_LOW_THEN_HIGH -> {
                latchState = LATCH_HIGH;
                return latchedCount & 0xFF;
            }
            default -> { }
        }
        int v = readableCount(tick);
        return switch (access) {
            case ACCESS_LOW -> v & 0xFF;
            case ACCESS_HIGH -> v >>> 8;
            default -> {
                readHighNext = !readHighNext;
                yield readHighNext ? v & 0xFF : v >>> 8;
            }
        };
    }

    private int readableCount(long tick) {
        int v = counter(tick);
        return bcd ? toBcd(v) : v;
    }

    private static int fromBcd(int v) {
        return ((v >>> 12) & 0xF) * 1000 + ((v >>> 8) & 0xF) * 100 + ((v >>> 4) & 0xF) * 10 + (v & 0xF);
    }

    private static int toBcd(int v) {
        return (v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 | v % 10;
    }
}
