package popek.debug;

import popek.engine.Capstone;
import popek.engine.CpuContext;
import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * One single step of the guest, by the CPU's own trap flag: with EFLAGS.TF set the engine raises a debug exception
 * after one instruction (Unicorn runs QEMU's CPU, which implements TF), with no code hook and so none of a code
 * hook's hazards. The flag is the debugger's, so the guest must not see it: Popek's own emulation and event delivery
 * see the guest's flag ({@link #hideFlag} before any of them runs), a {@code pushf} the CPU executed has the pushed
 * copy corrected, and an instruction that loads EFLAGS ({@code popf}, {@code iret}) keeps the flag it loaded.
 *
 * <p>In full mode a rewritten instruction is {@code nop}s ending in the {@code int3} that traps: a debug exception
 * that lands inside the instruction's own bytes ({@link #inside}) is one of those {@code nop}s, and the step goes on.
 */
final class Stepper {
    private enum Kind { PUSHF, LOADS_FLAGS, OTHER }

    private final Unicorn uc;
    private final GuestView memory;
    private final long[] bases = new long[6];
    private final byte[] code = new byte[Capstone.MAX_INSTRUCTION];
    private Capstone decoder16, decoder32;

    private boolean active, user;
    private int startEip, startCs, length, guestFlag, accessSize;
    /** DR6.BS as the guest had it: the debug trap that ends the debugger's step sets it, and the guest must not see that. */
    private int guestSingleStepBit;
    private static final int DR6_BS = 1 << 14;
    private Kind kind;

    Stepper(Unicorn uc, GuestView memory) {
        this.uc = uc;
        this.memory = memory;
    }

    boolean active() { return active; }

    /** Was this step asked for by the debugger's user (rather than taken to let a watched access through)? */
    boolean user() { return user; }

    /** Starts a step of the instruction at CS:EIP; {@code user}: the debugger asked for it. */
    void begin(boolean byUser) {
        active = true;
        user = byUser;
        startEip = uc.reg(X86.EIP);
        startCs = uc.selector(X86.CS);
        guestFlag = uc.reg(X86.EFLAGS) & X86.FLAG_TF;
        guestSingleStepBit = uc.reg(X86.DR6) & DR6_BS;
        int hflags = uc.context().segmentState(bases);
        boolean code32 = (hflags & CpuContext.HF_CS32) != 0;
        int n = memory.readLinear(bases[X86.SEG_CS] + (startEip & 0xFFFFFFFFL), code, 0, code.length);
        Capstone.Instruction insn = n == 0 ? null : decoder(code32).decode(code, n, startEip & 0xFFFFFFFFL);
        length = insn == null ? 1 : insn.length();
        kind = classify(code, n);
        accessSize = insn == null ? 4 : operandSize(insn.operands(), code32);
    }

    private Capstone decoder(boolean code32) {
        if (code32) {
            if (decoder32 == null) decoder32 = new Capstone(32);
            return decoder32;
        }
        if (decoder16 == null) decoder16 = new Capstone(16);
        return decoder16;
    }

    /** pushf, popf and iret by their opcodes (after any prefixes). */
    private static Kind classify(byte[] b, int n) {
        for (int i = 0; i < n; i++) {
            switch (b[i] & 0xFF) {
                case 0x26, 0x2E, 0x36, 0x3E, 0x64, 0x65, 0x66, 0x67, 0xF0, 0xF2, 0xF3 -> { }
                case 0x9C -> { return Kind.PUSHF; }
                case 0x9D, 0xCF -> { return Kind.LOADS_FLAGS; }
                default -> { return Kind.OTHER; }
            }
        }
        return Kind.OTHER;
    }

    /** The size of the instruction's memory operand, from Capstone's operand text; else the stack's word. */
    private static int operandSize(String operands, boolean code32) {
        if (operands.contains("xmmword ptr")) return 16;
        if (operands.contains("xword ptr") || operands.contains("tbyte ptr")) return 10;
        if (operands.contains("qword ptr")) return 8;
        if (operands.contains("dword ptr")) return 4;
        if (operands.contains("byte ptr")) return 1;
        if (operands.contains("word ptr")) return 2;
        return code32 ? 4 : 2;
    }

    /** How many bytes the stepped instruction's memory access is taken to cover (for watchpoints). */
    int accessSize() { return accessSize; }

    /** Before a run: the trap flag set. */
    void arm() {
        int f = uc.reg(X86.EFLAGS);
        if ((f & X86.FLAG_TF) == 0) uc.setReg(X86.EFLAGS, f | X86.FLAG_TF);
    }

    /** Gives EFLAGS back the guest's own TF, before Popek emulates an instruction or delivers an event. */
    void hideFlag() {
        int f = uc.reg(X86.EFLAGS);
        if ((f & X86.FLAG_TF) != guestFlag) uc.setReg(X86.EFLAGS, (f & ~X86.FLAG_TF) | guestFlag);
    }

    /** Is EIP (in code segment {@code cs}) inside the stepped instruction's bytes, past its first? */
    boolean inside(int eip, int cs) {
        int past = eip - startEip;
        return cs == startCs && past > 0 && past < length;
    }

    /** Did the engine run the instruction without any exception (a hlt: EIP moved with no debug trap)? */
    boolean movedOn() {
        int eip = uc.reg(X86.EIP), cs = uc.selector(X86.CS);
        return (eip != startEip || cs != startCs) && !inside(eip, cs);
    }

    /**
     * The step is over. {@code byDebugTrap}: the instruction completed and the debug trap followed it (else the
     * step ended in an event or an emulated instruction, which already saw the guest's TF).
     */
    void finish(boolean byDebugTrap) {
        active = false;
        int f = uc.reg(X86.EFLAGS);
        if (!(byDebugTrap && kind == Kind.LOADS_FLAGS)) f = (f & ~X86.FLAG_TF) | guestFlag;
        uc.setReg(X86.EFLAGS, f);
        if (byDebugTrap && kind == Kind.PUSHF && guestFlag == 0) clearPushedFlag();
        if (guestFlag == 0 && guestSingleStepBit == 0) {   // (a padding nop's trap in full mode sets it too)
            int dr6 = uc.reg(X86.DR6);
            if ((dr6 & DR6_BS) != 0) uc.setReg(X86.DR6, dr6 & ~DR6_BS);
        }
    }

    /** The pushf just pushed EFLAGS with the debugger's TF: clears it in the copy on the stack (bit 8: byte 1, bit 0). */
    private void clearPushedFlag() {
        int hflags = uc.context().segmentState(bases);
        long esp = uc.reg(X86.ESP) & ((hflags & CpuContext.HF_SS32) != 0 ? 0xFFFFFFFFL : 0xFFFFL);
        long at = bases[X86.SEG_SS] + esp + 1;
        byte[] b = new byte[1];
        if (memory.readLinear(at, b, 0, 1) == 1) {
            b[0] &= ~1;
            memory.writeLinear(at, b, 0, 1);
        }
    }

    void close() {
        if (decoder16 != null) decoder16.close();
        if (decoder32 != null) decoder32.close();
    }
}
