package popek.fuzz;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Makes a diverging case small: first whole pieces are dropped (halves, quarters, ... single pieces, as in Zeller's
 * delta debugging) while the case still diverges, then single instructions are turned into nops of the same length
 * (which keeps every other instruction where it was), but for those a piece marked as kept ({@link Asm#keep}) and
 * those just before code of the other size. Each
 * try runs the case in both modes.
 */
final class Shrinker {
    private Shrinker() { }

    /** The smallest case found, and the instructions of its build that were nopped out. */
    record Shrunk(FuzzCase fuzzCase, Set<Integer> nopped, int tries) { }

    /** {@code diverges}: builds and runs a case with some instructions nopped, true if it still diverges. */
    static Shrunk shrink(FuzzCase c, Predicate<Attempt> diverges, int maxTries) {
        List<Piece> pieces = new ArrayList<>(c.pieces());
        int tries = 0;
        int chunk = Math.max(1, pieces.size() / 2);
        while (chunk >= 1 && tries < maxTries) {
            boolean removed = false;
            for (int at = 0; at < pieces.size() && tries < maxTries; ) {
                List<Piece> fewer = new ArrayList<>(pieces.subList(0, at));
                fewer.addAll(pieces.subList(Math.min(pieces.size(), at + chunk), pieces.size()));
                tries++;
                if (diverges.test(new Attempt(c.withPieces(fewer), Set.of()))) {
                    pieces = fewer;
                    removed = true;
                } else {
                    at += chunk;
                }
            }
            if (!removed) chunk /= 2;
        }
        FuzzCase small = c.withPieces(pieces);
        Set<Integer> nopped = new HashSet<>();
        FuzzCase.Built built = small.build(Set.of());
        int instructions = built.starts().length - EPILOGUE;
        for (int i = instructions - 1; i >= 0 && tries < maxTries; i--) {
            // Nor the instruction before code of the other size (the far jmp into it, or the jmp over it when a
            // transfer faults): without it the code would run in the size it was not assembled for, and the
            // reproducer would show other instructions than those that ran.
            if (built.kept().get(i) || built.bits()[i + 1] != built.bits()[i]) continue;
            nopped.add(i);
            tries++;
            if (!diverges.test(new Attempt(small, Set.copyOf(nopped)))) nopped.remove(i);
        }
        return new Shrunk(small, nopped, tries);
    }

    /** The epilogue's instructions (int 0x80, out, jmp): never nopped. */
    private static final int EPILOGUE = 3;

    /** A case to try, with the instructions to nop out. */
    record Attempt(FuzzCase fuzzCase, Set<Integer> nopped) { }
}
