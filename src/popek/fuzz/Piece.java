package popek.fuzz;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One generated piece of a case: a few instructions that exercise one thing (a segment load, a trip to ring 3 and
 * back, a page-table edit), emitted the same way every time from the choices made when it was generated, so a case
 * can be rebuilt without some of its pieces while it is shrunk. {@code quirks}: the known Unicorn errors it may meet.
 */
record Piece(String what, Set<Quirk> quirks, Consumer<Emit> body) {
    Piece(String what, Consumer<Emit> body) { this(what, EnumSet.noneOf(Quirk.class), body); }

    Piece(String what, Quirk quirk, Consumer<Emit> body) { this(what, EnumSet.of(quirk), body); }

    @Override
    public String toString() { return what; }
}
