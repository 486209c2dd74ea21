package popek.fuzz;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One generated piece of a case: a few instructions that exercise one thing (a segment load, a trip to ring 3 and
 * back, a page-table edit), emitted the same way every time from the choices made when it was generated, so a case
 * can be rebuilt without some of its pieces while it is shrunk. {@code quirks}: the known Unicorn errors it may meet;
 * {@code entryBits}: the code size it was generated for (0: any), which the pieces before it must leave;
 * {@code neutral}: what stands for it when its quirks are left out (null: nothing).
 */
record Piece(String what, Set<Quirk> quirks, Consumer<Emit> body, int entryBits, Piece neutral) {
    Piece(String what, Set<Quirk> quirks, Consumer<Emit> body) { this(what, quirks, body, 0, null); }

    Piece(String what, Consumer<Emit> body) { this(what, EnumSet.noneOf(Quirk.class), body); }

    Piece(String what, Quirk quirk, Consumer<Emit> body) { this(what, EnumSet.of(quirk), body); }

    /** The same piece, known to be generated for code of {@code bits} bits (16 or 32). */
    Piece generatedFor(int bits) {
        return new Piece(what, quirks, body, bits, neutral == null ? null : neutral.generatedFor(bits));
    }

    /**
     * The same piece with a stand-in for when its quirks are left out (e.g. a mode switch without its ltr): a piece
     * the ones after it depend on cannot simply be dropped.
     */
    Piece orWithout(Piece stand) { return new Piece(what, quirks, body, entryBits, stand); }

    /**
     * This piece leaves flags the SDM calls undefined: its stand-in is the same code followed by {@code cmp eax, eax},
     * which defines all six arithmetic flags and changes no register.
     */
    Piece undefinedFlags() {
        Consumer<Emit> then = e -> {
            body.accept(e);
            e.a.op(0x39, 0xC0);
        };
        return new Piece(what, EnumSet.of(Quirk.UNDEFINED_FLAGS), body, entryBits, new Piece(what, then));
    }

    /** This piece as it runs with the known Unicorn errors left out: itself, its stand-in, or nothing (null). */
    Piece withoutQuirks() { return quirks.isEmpty() ? this : neutral; }

    @Override
    public String toString() { return what; }
}
