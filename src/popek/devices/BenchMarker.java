package popek.devices;

import java.util.function.LongSupplier;

/**
 * Port 0x4E8: where a benchmark guest marks the start and the end of each measured loop, with a 32-bit write of
 * {@code (id << 8) | phase} (phase 0 = start, 1 = end; see guest-images/trapbench/README.md). Each mark records the
 * virtual time and the machine's trap and exit counts, so a loop's cost is measured by the VMM, not by the guest's own
 * clock. Reads return all ones, as from a port nothing claims.
 */
public final class BenchMarker implements PortDevice {
    public static final int PORT = 0x4E8;
    private static final int LOOPS = 256;

    private final Clock clock;
    private final LongSupplier traps, exits;
    private final long[] startNanos = new long[LOOPS], endNanos = new long[LOOPS];
    private final long[] startTraps = new long[LOOPS], endTraps = new long[LOOPS];
    private final long[] startExits = new long[LOOPS], endExits = new long[LOOPS];
    private final boolean[] started = new boolean[LOOPS], ended = new boolean[LOOPS];

    public BenchMarker(Clock clock, LongSupplier traps, LongSupplier exits) {
        this.clock = clock;
        this.traps = traps;
        this.exits = exits;
    }

    public void register(PortBus bus) { bus.register(PORT, 4, this); }

    @Override
    public int read(int port, int size) { return PortBus.allOnes(size); }

    @Override
    public void write(int port, int size, int value) {
        if (port != PORT || size != 4) return;
        int id = (value >>> 8) & (LOOPS - 1);
        long now = clock.nanos();
        if ((value & 1) == 0) {
            startNanos[id] = now;
            startTraps[id] = traps.getAsLong();
            startExits[id] = exits.getAsLong();
            started[id] = true;
            ended[id] = false;
        } else if (started[id]) {
            endNanos[id] = now;
            endTraps[id] = traps.getAsLong();
            endExits[id] = exits.getAsLong();
            ended[id] = true;
        }
    }

    /** True once loop {@code id} was marked both started and ended. */
    public boolean complete(int id) { return ended[id]; }

    public long elapsedNanos(int id) { return endNanos[id] - startNanos[id]; }

    /** Traps taken between the marks, less the end mark's own. */
    public long traps(int id) { return endTraps[id] - startTraps[id] - 1; }

    public long exits(int id) { return endExits[id] - startExits[id]; }
}
