package popek.devices;

import java.util.ArrayList;
import java.util.List;

/**
 * An IRQ line that remembers its level, its rising edges, and when (by a clock) each edge happened. As a latching line
 * it also models a controller's one request bit: an edge sets it, {@link #take()} (the CPU's acknowledge) clears it.
 */
final class RecordingLine implements IrqLine {
    private final Clock clock;
    private boolean latching, requested;
    private boolean high;
    private int risingEdges;
    final List<Long> edgeTimes = new ArrayList<>();

    RecordingLine(Clock clock) { this.clock = clock; }

    RecordingLine() { this(() -> 0); }

    @Override
    public void set(boolean level) {
        if (level && !high) {
            risingEdges++;
            edgeTimes.add(clock.nanos());
            requested = latching;
        }
        high = level;
    }

    @Override
    public boolean requestWaiting() { return requested; }

    /** From now on, edges latch a request until {@link #take()}. */
    RecordingLine latching() {
        latching = true;
        return this;
    }

    /** The CPU takes the latched request. */
    void take() { requested = false; }

    boolean high() { return high; }

    int risingEdges() { return risingEdges; }
}
