package popek.cpu;

/** x86 exception vectors, and the facts about them that delivery needs (Intel SDM vol. 3, 6.3 and 6.15). */
final class Vectors {
    private Vectors() { }

    static final int DE = 0, DB = 1, NMI = 2, BP = 3, OF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11, SS = 12,
            GP = 13, PF = 14, MF = 16, AC = 17, MC = 18, XM = 19;

    /** Exceptions that push an error code (when raised as exceptions, never by {@code int n}). */
    static boolean hasErrorCode(int v) {
        return v == DF || (v >= TS && v <= PF) || v == AC;
    }

    static boolean contributory(int v) {
        return v == DE || (v >= TS && v <= GP);
    }

    /** SDM table 6-5: a second fault while delivering the first becomes #DF for these pairs. */
    static boolean doubleFault(int first, int second) {
        return (contributory(first) && contributory(second)) || (first == PF && (contributory(second) || second == PF));
    }

    static final String[] NAMES = {"#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
        "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault", "coprocessor overrun",
        "#TS invalid TSS", "#NP segment not present", "#SS stack fault", "#GP general protection", "#PF page fault",
        "reserved", "#MF x87 error", "#AC alignment check", "#MC machine check", "#XM SIMD error"};

    /** Not a vector: a para-virtualised guest's event upcall, named in messages about its delivery. */
    static final int UPCALL = -1;

    static String name(int v) {
        if (v == UPCALL) return "the event upcall";
        return v >= 0 && v < NAMES.length ? NAMES[v] : "vector " + v;
    }
}
