package popek.stats;

import java.util.List;

/** Small fixed benchmark results: round numbers, so expected text can be worked out by hand. */
final class BenchFixtures {
    private BenchFixtures() {}

    /**
     * Two rows by two modes, three runs each. cli_sti: full is 447/12 = 37.25x emulate, clear of noise; out_dx: the
     * modes' runs overlap (emulate 38–45 ns, full 39–44 ns).
     */
    static BenchResult twoByTwo() {
        return new BenchResult(List.of("emulate", "full"), List.of(
                new Measurement("cli_sti", "emulate", 1000, Samples.of(12, 11, 13), 2, 3),
                new Measurement("cli_sti", "full", 1000, Samples.of(447, 431, 502), 2, 40),
                new Measurement("out_dx", "emulate", 1000, Samples.of(40, 38, 45), 1, 5),
                new Measurement("out_dx", "full", 1000, Samples.of(41, 39, 44), 1, 1001)));
    }

    /** Three modes, costs from 1.5 ns to 9 µs (a log axis of 1 ns to 10 µs); the second row has no para variant. */
    static BenchResult threeModes() {
        return new BenchResult(List.of("emulate", "full", "para"), List.of(
                new Measurement("cli_sti", "emulate", 100, Samples.of(1.5, 1.6, 2.0, 1.7), 2, 0),
                new Measurement("cli_sti", "full", 100, Samples.of(400, 420, 410, 500), 2, 0),
                new Measurement("cli_sti", "para", 100, Samples.of(300, 310, 305, 320), 1, 0),
                new Measurement("page_fault", "emulate", 100, Samples.of(2000, 2100, 2050, 2200), 1, 0),
                new Measurement("page_fault", "full", 100, Samples.of(8000, 9000, 8500, 8700), 1, 0)));
    }
}
