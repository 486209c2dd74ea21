package popek.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Generates case {@code index} of seed {@code seed}: a start state and a run of pieces drawn from every generator that
 * fits the state the previous pieces left (mode, privilege, paging), each case from a random stream of its own so
 * any case can be made again from its seed and index alone.
 */
final class CaseGen {
    private CaseGen() { }

    static final int MIN_PIECES = 8, MAX_PIECES = 40;

    static FuzzCase generate(long seed, int index) {
        RandomGenerator r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + index);
        boolean real = r.nextInt(8) == 0;
        GenState s = new GenState(real ? GenState.Mode.REAL : GenState.Mode.PROT32);
        int[] gprs = new int[8];
        for (int i = 0; i < 8; i++) gprs[i] = Operands.value(r);
        int eflags = 2 | (r.nextInt() & 0x8D5);   // arithmetic flags and DF; IF, TF and IOPL clear
        int n = MIN_PIECES + r.nextInt(MAX_PIECES - MIN_PIECES + 1);
        List<Piece> pieces = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int bits = s.bits();
            pieces.add(next(r, s, real).generatedFor(bits));
        }
        return new FuzzCase(seed, index, real, gprs, eflags, pieces);
    }

    private static Piece next(RandomGenerator r, GenState s, boolean realStart) {
        int roll = r.nextInt(100);
        switch (s.mode) {
            case REAL -> {
                if (roll < 15) return TransitionGen.toProtected(r, s, realStart);
                return roll < 55 ? OrdinaryGen.next(r, s) : SensitiveGen.next(r, s);
            }
            case PROT16 -> {
                if (roll < 20) return TransitionGen.fromProt16(r, s);
                return roll < 60 ? OrdinaryGen.next(r, s) : SensitiveGen.next(r, s);
            }
            default -> { }
        }
        if (s.cpl == 3) {
            if (roll < 15) return TransitionGen.toRing0(r, s);
            if (roll < 45) return OrdinaryGen.next(r, s);
            if (roll < 75) return SensitiveGen.next(r, s);
            if (roll < 85) return PagingGen.next(r, s);
            if (roll < 92) return CodeGen.next(r, s);
            return FaultGen.next(r, s);
        }
        if (roll < 25) return OrdinaryGen.next(r, s);
        if (roll < 55) return SensitiveGen.next(r, s);
        if (roll < 62) return SegmentGen.farTransfer(popek.translate.SensitiveClass.values()[
                popek.translate.SensitiveClass.FAR_CALL.ordinal() + r.nextInt(3)], r, s);
        if (roll < 67) return TransitionGen.toRing3(r, s, r.nextInt(3));
        if (roll < 70) return s.paging == GenState.Paging.OFF || r.nextBoolean() ? TransitionGen.toReal(r, s) : PagingGen.disable(s);
        if (roll < 73) return TransitionGen.toProt16(r, s);
        if (roll < 85) return PagingGen.next(r, s);
        if (roll < 92) return CodeGen.next(r, s);
        return FaultGen.next(r, s);
    }
}
