package popek.para;

/**
 * HC_SET_TRAP_TABLE's virtual IDT: per vector a handler (cs:eip), the DPL that may {@code int n} it, and whether
 * entering it masks events. The vCPU's interrupt delivery asks it for a gate instead of reading the IDT, as an
 * 8-byte IDT descriptor built here, so the delivery's checks and frame are the CPU's own. A new table is read into
 * a second set of arrays and swapped in only when the whole of it is valid; nothing is allocated per call.
 */
final class TrapTable {
    private static final int VECTORS = 256;
    private long[] gates = new long[VECTORS], staged = new long[VECTORS];
    private boolean[] masks = new boolean[VECTORS], stagedMasks = new boolean[VECTORS];
    private boolean set;

    /** Starts reading a new table: nothing in it yet. */
    void begin() {
        java.util.Arrays.fill(staged, 0);
        java.util.Arrays.fill(stagedMasks, false);
    }

    /** One entry of the new table (a later entry for the same vector wins). */
    void stage(int vector, int flags, int cs, int eip) {
        boolean maskEvents = (flags & PvAbi.TRAP_MASK_EVENTS) != 0;
        staged[vector] = gate(cs, eip, flags & 3, maskEvents);
        stagedMasks[vector] = maskEvents;
    }

    /** Makes the new table the guest's; with {@code any} false (an empty table) the IDT is used again. */
    void commit(boolean any) {
        long[] g = gates;
        gates = staged;
        staged = g;
        boolean[] m = masks;
        masks = stagedMasks;
        stagedMasks = m;
        set = any;
    }

    boolean isSet() { return set; }

    /** The gate for {@code vector}, or 0 when the table has no entry for it. */
    long gate(int vector) { return vector >= 0 && vector < VECTORS ? gates[vector] : 0; }

    boolean masksEvents(int vector) { return vector >= 0 && vector < VECTORS && masks[vector]; }

    /**
     * A present 32-bit gate descriptor (SDM vol. 3, 6.11) to {@code cs:eip}: an interrupt gate (IF cleared on entry)
     * when events are masked on entry, a trap gate otherwise.
     */
    static long gate(int cs, int eip, int dpl, boolean interrupt) {
        long low = ((long) (cs & 0xFFFF) << 16) | (eip & 0xFFFF);
        long high = (eip & 0xFFFF0000L) | 1L << 15 | (long) (dpl & 3) << 13 | (interrupt ? 0xEL : 0xFL) << 8;
        return high << 32 | low;
    }
}
