package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Mem;
import popek.fuzz.Asm.Reg;

import static popek.fuzz.Operands.EAX;
import static popek.fuzz.Operands.EBP;
import static popek.fuzz.SystemTables.*;

/**
 * Faults of every kind made on purpose: #DE, #DB by single-stepping (over ordinary and sensitive instructions),
 * #NM, #MF, #SS, #GP from segment limits and types (also on the memory operand of a sensitive instruction, which full
 * mode computes itself), and #UD.
 */
final class FaultGen {
    private FaultGen() { }

    static Piece next(RandomGenerator r, GenState s) {
        boolean kernel = s.cpl == 0;
        return switch (r.nextInt(kernel ? 9 : 3)) {
            case 0 -> new Piece("#DE: 8-bit idiv overflow", e -> e.a.movImm(16, EAX, 0x8000).op(0xB1, 0xFF).op(0xF6, 0xF9));
            case 1 -> {
                int[][] after = {{0x90}, {0xFA}, {0x0F, 0x20, 0xC0}, {0x9C, 0x58}, {0x8C, 0xD8}, {0x0F, 0x01, 0xE0}, {0x40}};
                int[] next = after[r.nextInt(after.length)];
                yield new Piece("single-step over " + CodeGen.hex(next), next.length == 3 && next[2] == 0xE0
                        ? java.util.EnumSet.of(Quirk.SMSW_HIGH_BITS) : java.util.EnumSet.noneOf(Quirk.class), e -> {
                    e.a.op(0x9C).rm(32, Mem.at(Operands.ESP, 0), 1, 0x81).immAfter(4, 0x100).op(0x9D);   // TF on
                    e.a.op(next);
                    e.a.op(0x90);
                    e.a.op(0x9C).rm(32, Mem.at(Operands.ESP, 0), 4, 0x81).immAfter(4, ~0x100).op(0x9D);  // TF off
                });
            }
            case 2 -> {
                // Only undefined encodings a decoder measures (see OrdinaryGen's ud0).
                int[][] bad = {{0x0F, 0x0B}, {0xF0, 0x90}, {0x0F, 0xFF, 0xC0}, {0x0F, 0xB9, 0xC0}, {0x8E, 0xC8}, {0x0F, 0x20, 0xC8}};
                int[] b = bad[r.nextInt(bad.length)];
                yield new Piece("#UD " + CodeGen.hex(b), e -> e.a.op(b));
            }
            case 3 -> {
                boolean em = r.nextBoolean();
                yield new Piece("#NM (CR0." + (em ? "EM" : "TS") + ")", e -> {
                    int bit = em ? 4 : 8;
                    e.a.op(0x0F, 0x20, 0xC0).rm(32, new Reg(EAX), 1, 0x83).immAfter(1, bit).op(0x0F, 0x22, 0xC0);
                    e.a.op(0xD9, 0xE8);   // fld1
                    e.a.op(0x9B);         // fwait
                    e.a.op(0x0F, 0x20, 0xC0).rm(32, new Reg(EAX), 4, 0x83).immAfter(1, ~bit).op(0x0F, 0x22, 0xC0);
                });
            }
            case 4 -> new Piece("#MF (CR0.NE, unmasked zero divide)", e -> {
                int cw = e.alloc(2);
                e.image.put16(cw, 0x37B);
                e.a.op(0x0F, 0x20, 0xC0).rm(32, new Reg(EAX), 1, 0x83).immAfter(1, 0x20).op(0x0F, 0x22, 0xC0);
                e.a.op(0xDB, 0xE3).rm(0, Mem.abs(cw), 5, 0xD9).end();               // fninit; fldcw [cw]
                e.a.op(0xD9, 0xEE).op(0xD9, 0xE8).op(0xDE, 0xF1).op(0x9B);          // fldz; fld1; fdivrp; fwait
                e.a.op(0xDB, 0xE2).op(0xDB, 0xE3);                                   // fnclex; fninit
            });
            case 5 -> new Piece("#SS: an expand-down stack below its limit", e -> {
                e.a.movImm(16, EAX, KDATA_DOWN).op(0x8E, 0xD0);                     // mov ss, ax
                e.a.movImm(32, EBP, 0x100).rm(32, Mem.at(EBP, 0), EAX, 0x8B).end();
                e.a.movImm(16, EAX, KDATA).op(0x8E, 0xD0);
            });
            case 6, 7 -> checkedOperand(r, s);
            default -> {
                int sel = new int[] {KDATA_RO, KDATA_SMALL, 0, KCODE, KDATA_DOWN, KDATA16}[r.nextInt(6)];
                int off = new int[] {0x10, 0x1FFFE, 0x20000, 0xFFFF, 0x10000, 0xFFFFFFF0}[r.nextInt(6)];
                boolean write = r.nextBoolean();
                yield new Piece(String.format("%s es:0x%x with es=0x%x", write ? "write" : "read", off, sel), e -> {
                    e.a.movImm(16, EAX, sel).op(0x8E, 0xC0);
                    if (write) e.a.rm(32, Mem.abs(off).seg(0), 0, 0xC7).immAfter(4, 0x12345678);
                    else e.a.rm(32, Mem.abs(off).seg(0), EAX, 0x8B).end();
                    e.a.movImm(16, EAX, KDATA).op(0x8E, 0xC0);
                });
            }
        };
    }

    /**
     * A sensitive instruction whose memory operand breaks its segment's limit or type (a write to read-only data or
     * code, an offset past the limit, a null segment): the CPU raises #GP(0) (#SS(0) for SS) before anything changes.
     */
    private static Piece checkedOperand(RandomGenerator r, GenState s) {
        int sel = new int[] {KDATA_RO, KDATA_SMALL, 0, KCODE, KDATA_DOWN, KDATA16, KCODE_XO}[r.nextInt(7)];
        int off = new int[] {Layout.DATA + 0x40, 0x1FFFC, 0x20000, 0xFFFE, 0x8000, 0xFFFFFFFC}[r.nextInt(6)];
        int seg = new int[] {0, 4, 5}[r.nextInt(3)];   // ES FS GS
        int[][] insns = {
            {0x0F, 0x01, 0},        // sgdt
            {0x0F, 0x01, 1 << 3},   // sidt
            {0x0F, 0x01, 4 << 3},   // smsw m
            {0x0F, 0x00, 0},        // sldt m
            {0x0F, 0x00, 1 << 3},   // str m
            {0x8C, 3 << 3},         // mov m, ds
            {0x0F, 0x01, 2 << 3},   // lgdt (reads)
            {0x8E, 0 << 3},         // mov es, m (reads)
            {0x0F, 0x02, 0},        // lar eax, m (reads)
            {0x0F, 0x00, 4 << 3},   // verr m (reads)
            {0xC4, 0},              // les eax, m (reads)
            {0x0F, 0x01, 7 << 3},   // invlpg m (no access: never faults)
        };
        int pick = r.nextInt(insns.length);
        int[] insn = insns[pick];
        String[] names = {"ES", "CS", "SS", "DS", "FS", "GS"};
        return new Piece(String.format("%s with %s=0x%x at 0x%x", CodeGen.hex(insn), names[seg], sel, off), e -> {
            Asm a = e.a;
            a.movImm(16, EAX, sel).op(0x8E, 0xC0 | seg << 3);
            a.begin().raw(new int[] {0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65}[seg]);
            for (int i = 0; i < insn.length - 1; i++) a.raw(insn[i]);
            a.raw(insn[insn.length - 1] | 0x05).imm32(off).end();
            if (pick == 6) {   // an lgdt that worked loaded nonsense: the real GDT again (through CS, flat and readable)
                int std = e.pseudoDescriptor(Layout.GDT_LIMIT, Layout.GDT);
                a.rm(32, Mem.abs(std).seg(1), 2, 0x0F, 0x01).end();
            }
            a.movImm(16, EAX, KDATA).op(0x8E, 0xC0 | seg << 3);
            a.op(0x31, 0xC9);
        });
    }
}
