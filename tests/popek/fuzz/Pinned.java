package popek.fuzz;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

import popek.cpu.ExecutionMode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs a hand-written case of the differential tester in both modes: what a pinned reproducer needs. */
final class Pinned {
    private Pinned() { }

    static final long TIMEOUT = 10_000_000_000L;
    private static final int[] REGISTERS = {0x11111111, 0x22222222, 0x33333333, 0x44444444, 0, 0x66666666, 0x77777777, 0x88888888};

    /** A case of one piece, from protected mode (ring 0, flat) or real mode. */
    static FuzzCase of(boolean real, Consumer<Emit> code) {
        return new FuzzCase(0, 0, real, REGISTERS.clone(), 2, List.of(new Piece("pinned", code)));
    }

    static CpuDifferential.Comparison compare(FuzzCase c) {
        var options = new CpuDifferential.Options(0, 0, 1, ExecutionMode.EMULATE, ExecutionMode.FULL, TIMEOUT, 1, false);
        return new CpuDifferential(options).compare(c, Set.of());
    }

    /** Both modes end the case the same way, with the same registers, segments, event log and RAM. */
    static CpuDifferential.Comparison assertAgree(FuzzCase c) {
        CpuDifferential.Comparison r = compare(c);
        assertTrue(r.diffs().isEmpty(), () -> "the modes differ: " + r.diffs());
        assertEquals(1, r.oracle().stop().exitCode() & 1, () -> "the case did not run to its end: " + r.oracle().stop());
        return r;
    }

    /** Event {@code i} of a final state: vector, error code, EIP. */
    static int[] event(FinalState s, int i) {
        int[] e = s.event(i);
        return new int[] {e[0] & 0xFFFF, e[1], e[2]};
    }

    /** Case {@code index} of {@code seed}, run by the tester as {@code ./popek fuzz --seed S --case I} runs it. */
    static CpuDifferential.CaseResult runCase(long seed, int index) {
        var options = new CpuDifferential.Options(seed, index, 1, ExecutionMode.EMULATE, ExecutionMode.FULL, TIMEOUT, 1, false);
        return new CpuDifferential(options).runCase(index);
    }
}
