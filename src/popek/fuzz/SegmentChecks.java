package popek.fuzz;

import java.util.Arrays;

/**
 * The tester's own model of the checks the CPU makes of a memory operand's segment (SDM vol. 3A, 5.3 limit checking,
 * 5.4 type checking; a null DS..GS), for the instructions full mode emulates, and what the rule
 * {@link Quirk#SEGMENT_CHECKS} needs to tell QEMU's missing checks from an error of full mode: which instructions have
 * such an operand, and whether one breaks the checks in the state emulate mode reaches it in. (Written from the SDM
 * apart from full mode's {@code popek.cpu.Operands}, which it judges.)
 */
final class SegmentChecks {
    private SegmentChecks() { }

    private static final int ES = 0, SS = 2, DS = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
    private static final int GP = 13, SS_FAULT = 12;

    /**
     * A memory access through segment register {@code seg} (0 ES ... 5 GS) at the offset {@code disp} plus the base
     * and scaled index registers (-1: none), wrapped to 16 bits unless {@code addr32}; {@code size} bytes, a store if
     * {@code write}.
     */
    record Access(int seg, int base, int index, int scale, int disp, boolean addr32, int size, boolean write) {
        int offset(int[] gprs) {
            int o = disp;
            if (base >= 0) o += gprs[base];
            if (index >= 0) o += gprs[index] << scale;
            return addr32 ? o : o & 0xFFFF;
        }
    }

    /**
     * The memory access of the instruction at {@code code[at]} in code of {@code bits} bits, if it is one whose memory
     * operand full mode emulates (system-table stores and loads, smsw/lmsw, selector loads and stores, far pointers,
     * idiv, string I/O); null otherwise (invlpg accesses nothing).
     */
    static Access decode(byte[] code, int at, int bits) {
        boolean op32 = bits == 32, addr32 = bits == 32;
        int seg = -1, i = at;
        for (;; i++) {
            int b = code[i] & 0xFF;
            if (b == 0x66) op32 = bits != 32;
            else if (b == 0x67) addr32 = bits != 32;
            else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E) seg = (b >>> 3) & 3;
            else if (b == 0x64 || b == 0x65) seg = b - 0x60;
            else if (b != 0xF0 && b != 0xF2 && b != 0xF3) break;
        }
        int opcode = code[i++] & 0xFF;
        if (opcode == 0x0F) opcode = 0x0F00 | (code[i++] & 0xFF);
        if (opcode >= 0x6C && opcode <= 0x6F) {   // ins: ES:(E)DI, never overridden; outs: DS:(E)SI
            boolean in = opcode <= 0x6D;
            return new Access(in ? ES : seg >= 0 ? seg : DS, in ? EDI : ESI, -1, 0, 0, addr32, (opcode & 1) == 0 ? 1 : op32 ? 4 : 2, in);
        }
        int modrm = code[i++] & 0xFF;
        int mod = modrm >>> 6, reg = (modrm >>> 3) & 7, rm = modrm & 7;
        int shape = shape(opcode, reg, op32 ? 4 : 2);
        if (shape == 0 || mod == 3) return null;
        int base = -1, index = -1, scale = 0, disp = 0;
        boolean stack;
        if (addr32) {
            if (rm == 4) {
                int sib = code[i++] & 0xFF;
                scale = sib >>> 6;
                index = ((sib >>> 3) & 7) == 4 ? -1 : (sib >>> 3) & 7;
                base = sib & 7;
                if (base == 5 && mod == 0) {
                    base = -1;
                    disp = le32(code, i);
                    i += 4;
                }
            } else if (rm == 5 && mod == 0) {
                disp = le32(code, i);
                i += 4;
            } else {
                base = rm;
            }
            stack = base == ESP || base == EBP;
            if (mod == 1) disp = code[i];
            else if (mod == 2) disp = le32(code, i);
        } else {
            int[][] pairs = {{3, ESI}, {3, EDI}, {EBP, ESI}, {EBP, EDI}, {ESI, -1}, {EDI, -1}, {EBP, -1}, {3, -1}};
            base = pairs[rm][0];
            index = pairs[rm][1];
            if (rm == 6 && mod == 0) {
                base = -1;
                disp = (code[i] & 0xFF) | (code[i + 1] & 0xFF) << 8;
            }
            stack = base == EBP;
            if (mod == 1) disp = code[i];
            else if (mod == 2) disp = (short) ((code[i] & 0xFF) | (code[i + 1] & 0xFF) << 8);
        }
        return new Access(seg >= 0 ? seg : stack ? SS : DS, base, index, scale, disp, addr32, shape & 0xFF, (shape & WRITE) != 0);
    }

    private static final int WRITE = 0x100;

    /** Bytes accessed (| {@link #WRITE} for a store) by an emulated instruction's memory operand; 0: not one. */
    private static int shape(int opcode, int reg, int opsize) {
        return switch (opcode) {
            case 0x0F01 -> switch (reg) {
                case 0, 1 -> 6 | WRITE;   // sgdt, sidt
                case 2, 3 -> 6;           // lgdt, lidt
                case 4 -> 2 | WRITE;      // smsw
                case 6 -> 2;              // lmsw
                default -> 0;             // invlpg: no access; the rest have no memory form here
            };
            case 0x0F00 -> reg < 2 ? 2 | WRITE : reg < 6 ? 2 : 0;   // sldt, str; lldt, ltr, verr, verw
            case 0x0F02, 0x0F03, 0x8E -> 2;                          // lar, lsl, mov sreg, m16
            case 0x8C -> 2 | WRITE;                                  // mov m16, sreg
            case 0xC4, 0xC5, 0x0FB2, 0x0FB4, 0x0FB5 -> opsize + 2;   // far pointers
            case 0xFF -> reg == 3 || reg == 5 ? opsize + 2 : 0;      // call far, jmp far
            case 0xF7 -> reg == 7 ? opsize : 0;                      // idiv
            default -> 0;
        };
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    // Attribute bits of a segment cache (the descriptor's high dword).
    private static final int PRESENT = 1 << 15, CODE = 1 << 11, EXPAND_DOWN = 1 << 10, W_OR_R = 1 << 9, BIG = 1 << 22;

    /** The fault the CPU raises for access {@code a} in state {@code s}: #GP (13), #SS (12), or 0 for none. */
    static int fault(Access a, FinalState s) { return fault(a, s.gprs(), s.segments(), s.controls()[0]); }

    /**
     * The same, from the general registers (EAX ... EDI), the segment caches as {@link FinalState#segments} holds them
     * (selector, base, limit, attributes per register) and CR0.
     */
    static int fault(Access a, int[] gprs, long[] segments, int cr0) {
        int flags = (int) segments[4 * a.seg() + 3];
        long limit = segments[4 * a.seg() + 2] & 0xFFFFFFFFL;
        int vector = a.seg() == SS ? SS_FAULT : GP;
        if ((cr0 & 1) != 0) {   // protected mode: a null selector, and the segment's type
            if ((flags & PRESENT) == 0) return vector;
            boolean code = (flags & CODE) != 0, wr = (flags & W_OR_R) != 0;
            if (a.write() ? code || !wr : code && !wr) return GP;
        }
        long first = a.offset(gprs) & 0xFFFFFFFFL, last = first + a.size() - 1;
        boolean down = (flags & (CODE | EXPAND_DOWN)) == EXPAND_DOWN;
        boolean inside = down ? first > limit && last <= ((flags & BIG) != 0 ? 0xFFFFFFFFL : 0xFFFFL) : last <= limit;
        return inside ? 0 : vector;
    }

    /** The instructions of a built case (but those nopped out) whose memory operand full mode emulates: their indices. */
    static int[] candidates(FuzzCase.Built b, java.util.Set<Integer> nopped) {
        int[] k = new int[b.starts().length];
        int n = 0;
        for (int i = 0; i < b.starts().length; i++) {
            if (!nopped.contains(i) && decode(b.code(), b.starts()[i], b.bits()[i]) != null) k[n++] = i;
        }
        return Arrays.copyOf(k, n);
    }
}
