package popek.fuzz;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One generated piece of a case: a few instructions that exercise one thing (a segment load, a trip to ring 3 and
 * back, a page-table edit), emitted the same way every time from the choices made when it was generated, so a case
 * can be rebuilt without some of its pieces while it is shrunk. {@code quirks}: the known Unicorn errors it may meet;
 * {@code entryBits}: the code size it was generated for (0: any), which the pieces before it must leave.
 */
record Piece(String what, Set<Quirk> quirks, Consumer<Emit> body, int entryBits) {
    Piece(String what, Set<Quirk> quirks, Consumer<Emit> body) { this(what, quirks, body, 0); }

    Piece(String what, Consumer<Emit> body) { this(what, EnumSet.noneOf(Quirk.class), body); }

    Piece(String what, Quirk quirk, Consumer<Emit> body) { this(what, EnumSet.of(quirk), body); }

    /** The same piece, known to be generated for code of {@code bits} bits (16 or 32). */
    Piece generatedFor(int bits) { return new Piece(what, quirks, body, bits); }

    @Override
    public String toString() { return what; }
}
