package popek.cpu;

import popek.engine.Unicorn;

/**
 * The CPU Popek's guests see: Unicorn's CPU model (QEMU's {@code qemu64}) as a 32-bit processor. CPUID leaf
 * 0x80000001 loses long mode (LM) and SVM, which a 32-bit machine has not, and keeps the rest (NX, SYSCALL,
 * LAHF). A kernel that finds long mode takes it, as memtest86+ does, and then runs in IA-32e compatibility mode,
 * which neither qemu-system-i386's CPU (no LM) nor full virtualisation (whose rewriter decodes only 16- and 32-bit
 * code) offers: with LM shown, memtest86+ ran in long mode under emulate mode and showed "[LM]"; without it, it
 * runs with PAE paging and shows "[PAE]", as under qemu-system-i386.
 */
public final class CpuModel {
    private static final int EXTENDED_FEATURES = 0x80000001;
    /** CPUID.80000001h: EDX bit 29 long mode; ECX bit 2 SVM (hardware virtualisation, which Popek offers none of). */
    private static final int EDX_LM = 1 << 29, ECX_SVM = 1 << 2;

    private CpuModel() { }

    /**
     * The leaves Popek answers itself for {@code uc}'s model (ask before the guest's state is set and before the
     * vCPU adds its CPUID hook), to be put before the user's {@code --cpuid} leaves.
     */
    public static CpuidTable leaves(Unicorn uc) {
        int[] r = uc.modelCpuid(EXTENDED_FEATURES);
        return CpuidTable.EMPTY.with(EXTENDED_FEATURES, CpuidTable.ANY, r[0], r[1], r[2] & ~ECX_SVM, r[3] & ~EDX_LM);
    }
}
