package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Mem;

/**
 * Random operands for generated instructions: registers that are not ESP, and memory operands into the data region
 * with the instructions that set up their base and index registers first, in 32- or 16-bit addressing.
 */
final class Operands {
    private Operands() { }

    static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    private static final int[] NOT_ESP = {EAX, ECX, EDX, EBX, EBP, ESI, EDI};
    private static final int[] BASES = {EBX, ESI, EDI, EBP, ECX, EDX};

    /** A general register other than ESP. */
    static int reg(RandomGenerator r) { return NOT_ESP[r.nextInt(NOT_ESP.length)]; }

    /** A memory operand and the register loads that make it point where it should. */
    record MemOp(Mem mem, int[] setupRegs, int[] setupValues, int bits) {
        /** Emits the loads of the base and index registers (in the code size the operand was made for). */
        void setup(Asm a) {
            for (int i = 0; i < setupRegs.length; i++) a.movImm(bits, setupRegs[i], setupValues[i]);
        }
    }

    /** Offsets random loads and stores use: the first half of the data region (the rest holds allocated operands). */
    private static final int SPAN = 0x7F00;

    static MemOp mem(RandomGenerator r, int bits) {
        return bits == 16 ? mem16(r) : mem32(r);
    }

    /** 32-bit addressing into the data region (DS-relative unless overridden). */
    static MemOp mem32(RandomGenerator r) {
        int seg = r.nextInt(10) == 0 ? new int[] {0, 1, 2, 4, 5}[r.nextInt(5)] : -1;
        int kind = r.nextInt(10);
        if (kind < 4) return new MemOp(new Mem(seg, -1, -1, 0, Layout.DATA + r.nextInt(SPAN), false), new int[0], new int[0], 32);
        int base = BASES[r.nextInt(BASES.length)];
        int disp = switch (r.nextInt(3)) {
            case 0 -> 0;
            case 1 -> r.nextInt(256) - 128;
            default -> r.nextInt(0x800);
        };
        int baseValue = Layout.DATA + 0x100 + r.nextInt(SPAN - 0x1000);
        if (kind < 8) return new MemOp(new Mem(seg, base, -1, 0, disp, false), new int[] {base}, new int[] {baseValue}, 32);
        int index;
        do index = reg(r); while (index == base);
        int scale = r.nextInt(4);
        return new MemOp(new Mem(seg, base, index, scale, disp, false), new int[] {base, index},
                new int[] {baseValue, r.nextInt(64)}, 32);
    }

    /** 16-bit addressing: [bx+si] ... [bx], or a bare disp16; offsets within the 64 KiB segment. */
    static MemOp mem16(RandomGenerator r) {
        int seg = r.nextInt(10) == 0 ? new int[] {0, 2, 4, 5}[r.nextInt(4)] : -1;
        int rm = r.nextInt(9) - 1;
        if (rm < 0) return new MemOp(new Mem(seg, -1, -1, 0, r.nextInt(SPAN), true), new int[0], new int[0], 16);
        int[][] regs = {{EBX, ESI}, {EBX, EDI}, {EBP, ESI}, {EBP, EDI}, {ESI}, {EDI}, {EBP}, {EBX}};
        int[] set = regs[rm];
        int[] values = new int[set.length];
        for (int i = 0; i < set.length; i++) values[i] = i == 0 ? r.nextInt(SPAN - 0x1000) : r.nextInt(0x100);
        int disp = r.nextBoolean() ? r.nextInt(256) - 128 : r.nextInt(0x400);
        if (rm == 6 && disp == 0) disp = 1;
        return new MemOp(new Mem(seg, rm, -1, 0, disp, true), set, values, 16);
    }

    /** A random 32-bit value, biased to edge cases. */
    static int value(RandomGenerator r) {
        return switch (r.nextInt(8)) {
            case 0 -> 0;
            case 1 -> -1;
            case 2 -> 0x80000000;
            case 3 -> 0x7FFFFFFF;
            case 4 -> r.nextInt(256);
            case 5 -> 1 << r.nextInt(32);
            default -> r.nextInt();
        };
    }
}
