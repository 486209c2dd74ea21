package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Label;
import popek.fuzz.Asm.Mem;
import popek.fuzz.Asm.Reg;
import popek.fuzz.Operands.MemOp;
import popek.translate.SensitiveClass;

import static popek.fuzz.Operands.EAX;
import static popek.fuzz.Operands.ESP;
import static popek.fuzz.Operands.reg;
import static popek.fuzz.SystemTables.*;

/**
 * Segment-register loads (mov, pop, lds and its kin) and far jumps, calls and returns, with good and bad selectors:
 * null, past the table's limit, not present, the wrong type or privilege, the LDT's, execute-only and conforming code,
 * 16-bit code segments reached and left again.
 */
final class SegmentGen {
    private SegmentGen() { }

    static Piece movSreg(RandomGenerator r, GenState s) {
        int seg = r.nextInt(12) == 0 ? 1 : new int[] {0, 2, 3, 4, 5, 0, 3, 4, 5}[r.nextInt(9)];   // CS: #UD
        int sel = seg == 2 ? SensitiveGen.stackSelector(r) : seg == 3 ? SensitiveGen.goodData(r) : SensitiveGen.pick(r);
        boolean mem = r.nextInt(4) == 0;
        MemOp m = Operands.mem(r, s.bits());
        return new Piece(String.format("mov sreg%d, 0x%x%s", seg, sel, mem ? " (m)" : ""), SensitiveGen.nullRpl(seg, sel), e -> {
            if (mem) {
                m.setup(e.a);
                e.a.rm(16, m.mem(), 0, 0xC7).immAfter(2, sel);
                e.a.rm(0, m.mem(), seg, 0x8E).end();
            } else {
                e.a.movImm(16, EAX, sel).rm(0, new Reg(EAX), seg, 0x8E).end();
            }
        });
    }

    static Piece loadFar(RandomGenerator r, GenState s) {
        int which = r.nextInt(5);   // les lds lss lfs lgs
        int[][] opcodes = {{0xC4}, {0xC5}, {0x0F, 0xB2}, {0x0F, 0xB4}, {0x0F, 0xB5}};
        int sel = which == 2 ? SensitiveGen.stackSelector(r) : which == 1 ? SensitiveGen.goodData(r) : SensitiveGen.pick(r);
        int op = r.nextInt(4) == 0 ? 16 : 32;
        int d = which == 2 ? ESP : reg(r);
        int offset = r.nextInt();
        String[] names = {"les", "lds", "lss", "lfs", "lgs"};
        return new Piece(String.format("%s o%d 0x%x", names[which], op, sel), SensitiveGen.nullRpl(which == 3 ? 4 : which == 4 ? 5 : 0, sel), e -> {
            int at = e.alloc(6);
            if (op == 32) {
                e.image.put32(at, offset);
                e.image.put16(at + 4, sel);
            } else {
                e.image.put16(at, offset);
                e.image.put16(at + 2, sel);
            }
            if (which == 2) e.a.rm(op, Mem.abs(at), ESP, 0x89).end();   // lss keeps the stack where it is
            e.a.rm(op, Mem.abs(at), d, opcodes[which]).end();
        });
    }

    /** Code selectors a far transfer may target at ring 0, and the bad ones. */
    private static final int[] TARGETS = {KCODE, KCODE, KCODE_CONF, KCODE_NA, KCODE_XO, KCODE16, KCODE16_NA,
        CODE_DPL1 | 1, UCODE | 3, UCODE_CONF | 3, KDATA, 0, KCODE | 3, LDT_CODE, KDATA_NP, FIRST_EMPTY, PAST_LIMIT,
        SYSTEM_RESERVED};

    private static boolean sixteenBit(int sel) { return sel == KCODE16 || sel == KCODE16_NA; }

    /** A CS load of a descriptor whose accessed bit is clear meets QEMU's accessed-bit error. */
    static java.util.Set<Quirk> csQuirks(int sel) {
        int s = sel & ~3;
        return s == KCODE_NA || s == KCODE16_NA ? java.util.EnumSet.of(Quirk.ACCESSED_BIT) : java.util.EnumSet.noneOf(Quirk.class);
    }

    static Piece farTransfer(SensitiveClass c, RandomGenerator r, GenState s) {
        int sel = r.nextInt(3) == 0 ? SensitiveGen.pick(r) : TARGETS[r.nextInt(TARGETS.length)];
        if (sel == CALL_GATE || sel == (CALL_GATE | 3) || sel == TSS_SEL || sel == TSS2_SEL) sel = KCODE;   // not emulated
        int target = sel;
        boolean indirect = r.nextInt(3) == 0;
        int op = r.nextInt(5) == 0 ? 16 : 32;
        java.util.Set<Quirk> quirks = csQuirks(target);
        String name = String.format("%s o%d%s to 0x%x", c.label(), op, indirect ? " (m)" : "", target);
        java.util.function.Consumer<Emit> body = switch (c) {
            case FAR_JMP -> e -> {
                Asm a = e.a;
                Label land = a.label(), after = a.label();
                transfer(e, false, op, target, land, indirect);
                a.jmp(after);                                // the transfer faulted and was skipped
                a.bind(land);
                leave(a, target, after);
                a.bind(after);
            };
            case FAR_CALL -> e -> {
                Asm a = e.a;
                Label callee = a.label(), after = a.label();
                a.op(0x89, 0xE5);                            // mov ebp, esp
                transfer(e, true, op, target, callee, indirect);
                a.jmp(after);
                a.bind(callee);
                int saved = a.bits;
                if (sixteenBit(target)) a.bits = 16;
                a.begin().opsize(op).raw(0xCB).end();        // retf of the call's size
                a.bits = saved;
                a.bind(after);
                a.op(0x89, 0xEC);                            // mov esp, ebp
            };
            default -> {
                int extra = r.nextBoolean() ? 0 : 4 * r.nextInt(4);
                int retSel = sixteenBit(target) ? KCODE : target;
                yield e -> {
                    Asm a = e.a;
                    Label land = a.label(), after = a.label();
                    a.op(0x89, 0xE5);
                    for (int i = 0; i < extra / 4; i++) a.pushImm(0x11111111 * (i + 1));
                    a.begin().opsize(op).raw(0x68).imm(op, retSel).end();
                    a.pushLabel(op, land);
                    if (extra > 0) a.begin().opsize(op).raw(0xCA).imm16(extra).end(); else a.begin().opsize(op).raw(0xCB).end();
                    a.jmp(after);
                    a.bind(land);
                    leave(a, retSel, after);
                    a.bind(after);
                    a.op(0x89, 0xEC);
                };
            }
        };
        return new Piece(name, quirks, body);
    }

    /** The far jmp or call itself: ptr16:op immediate, or m16:op through a far pointer in the data region. */
    private static void transfer(Emit e, boolean call, int op, int sel, Label to, boolean indirect) {
        Asm a = e.a;
        if (!indirect) {
            if (call) a.callFar(op, sel, to); else a.jmpFar(op, sel, to);
            return;
        }
        int at = e.alloc(6);
        // The pointer's offset is the label's address, known only once the code is assembled: store it at run time.
        a.begin().opsize(op).raw(0xC7, 0x05).imm32(at);
        a.labelImm(op, to);
        a.end();
        if (op == 32) e.image.put16(at + 4, sel); else e.image.put16(at + 2, sel);
        a.rm(op, Mem.abs(at), call ? 3 : 5, 0xFF).end();
    }

    /** Where a far transfer landed: back to the kernel's flat 32-bit code segment, and on to {@code after}. */
    private static void leave(Asm a, int sel, Label after) {
        if (sel == KCODE) return;
        int saved = a.bits;
        if (sixteenBit(sel)) a.bits = 16;
        a.jmpFar(32, KCODE, after);
        a.bits = saved;
    }
}
