package popek.fuzz;

/**
 * What the generator believes about the CPU where the next piece will run: the code size and mode, the privilege
 * level, and which paging is on. Faults the handlers skip can make the belief wrong; that is deterministic in both
 * modes and so still a fair comparison.
 */
final class GenState {
    enum Mode { REAL, PROT16, PROT32 }

    enum Paging { OFF, BITS32, PSE, PAE, PAE_LARGE }

    Mode mode;
    int cpl;
    Paging paging = Paging.OFF;
    /** NXE is set in EFER. */
    boolean nxe;

    GenState(Mode mode) { this.mode = mode; }

    boolean prot32() { return mode == Mode.PROT32; }

    boolean kernel32() { return mode == Mode.PROT32 && cpl == 0; }

    int bits() { return mode == Mode.PROT32 ? 32 : 16; }
}
