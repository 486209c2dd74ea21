package popek.para;

/** The hypercalls' names as pv.h spells them, for statistics and messages. */
public final class HypercallNames {
    private HypercallNames() { }

    private static final String[] NAMES = {"HC_VERSION", "HC_EXIT", "HC_CONSOLE_WRITE", "HC_SET_CALLBACK",
        "HC_SET_TRAP_TABLE", "HC_MMU_UPDATE", "HC_TLB_FLUSH", "HC_NEW_BASEPTR", "HC_SET_TIMER", "HC_YIELD", "HC_BLOCK",
        "HC_RING_ATTACH", "HC_CONSOLE_NOTIFY", "HC_BLOCK_SUBMIT"};

    /** "HC_VERSION", or "unknown hypercall N". */
    public static String name(int nr) {
        return nr >= 0 && nr < NAMES.length ? NAMES[nr] : "unknown hypercall " + Integer.toUnsignedString(nr);
    }
}
