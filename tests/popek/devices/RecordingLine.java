package popek.devices;

import java.util.ArrayList;
import java.util.List;

/** An IRQ line that remembers its level, its rising edges, and when (by a clock) each edge happened. */
final class RecordingLine implements IrqLine {
    private final Clock clock;
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
        }
        high = level;
    }

    boolean high() { return high; }

    int risingEdges() { return risingEdges; }
}
