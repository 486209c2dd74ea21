package popek.cpu;

import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * The trapped instructions that load or inspect segments, emulated with the protection checks of the Intel SDM
 * (vol. 2, each instruction's operation; vol. 3A, 5.5-5.8): segment-register loads, far jumps, calls and returns,
 * {@code iret}, {@code lar}/{@code lsl}/{@code verr}/{@code verw}, {@code lldt}/{@code ltr}, {@code sysenter} and
 * {@code sysexit}. A check that fails raises the guest fault the CPU would ({@link GuestFault}) before anything
 * changes.
 *
 * <p>The selector loads themselves go through Unicorn's register API, which loads the descriptor cache (and sets the
 * accessed bit) as QEMU's CPU does; Unicorn refuses a load that would fault rather than raising the fault, which is
 * why the checks are made here first. Call gates, task gates and task switches, and returns to virtual-8086 mode,
 * are not emulated: they stop the guest with a clear reason ({@link #unsupported}).
 */
final class SegmentOps {
    private final Unicorn uc;
    private final GuestAccess mem;
    private final GuestFault fault;
    private final SegmentCache segments;
    private final Operands op;
    private String unsupported;

    SegmentOps(Unicorn uc, GuestAccess mem, GuestFault fault, SegmentCache segments, Operands op) {
        this.uc = uc;
        this.mem = mem;
        this.fault = fault;
        this.segments = segments;
        this.op = op;
    }

    /** What the last {@link GuestFault} with vector -1 stood for: something Popek does not emulate. */
    String unsupported() { return unsupported; }

    private GuestFault unsupported(String what) {
        unsupported = what;
        return fault.raise(-1, 0);
    }

    private int cpl() { return uc.selector(X86.CS) & 3; }

    /** The GDT or LDT descriptor of {@code selector}, or #GP(selector) past the table's limit. */
    long descriptor(int selector) {
        long d = descriptorOrMissing(selector);
        if (d == MISSING) throw fault.raise(Vectors.GP, selector & ~3);
        return d;
    }

    /** A value no readable descriptor has (its present bit is clear and its type is 0). */
    private static final long MISSING = 0;

    private long descriptorOrMissing(int selector) {
        boolean ldt = (selector & 4) != 0;
        int base = (int) uc.readTable(ldt ? X86.LDTR : X86.GDTR);
        int limit = uc.tableLimit();
        if (ldt && (uc.tableSelector() & ~3) == 0) return MISSING;
        int index = selector & ~7;
        if (index + 7 > limit) return MISSING;
        return mem.read64(base + index, false);
    }

    // ---------------------------------------------------------------- code segment loads

    /**
     * An execute-only code segment is about to be loaded into CS: sets its descriptor's accessed bit, as the load
     * does (may fault: call it with the checks, before anything changes). A readable one needs nothing: the register
     * write in {@link #loadCode} sets it.
     */
    static void markAccessed(Unicorn uc, GuestAccess mem, int selector, long descriptor) {
        if (Descriptor.readable(descriptor) || (Descriptor.type(descriptor) & 1) != 0) return;
        int at = (int) uc.readTable((selector & 4) != 0 ? X86.LDTR : X86.GDTR) + (selector & ~7) + 5;
        mem.write8(at, mem.read8(at, false) | 1, false);
    }

    /**
     * Loads CS with a code segment whose checks have passed: a readable one by Unicorn's register write (which reads
     * the descriptor again), an execute-only one straight into the segment cache, since the register write refuses a
     * segment it could not read from (Unicorn's uc_check_cpu_x86_load_seg: UC_ERR_EXCEPTION, an internal error).
     */
    static void loadCode(Unicorn uc, int selector, long descriptor) {
        if (Descriptor.readable(descriptor)) {
            uc.setReg(X86.CS, selector);
            return;
        }
        uc.context().loadSegment(X86.SEG_CS, selector, Descriptor.base(descriptor) & 0xFFFFFFFFL,
                Descriptor.limit(descriptor), Descriptor.high(descriptor) | ACCESSED);
    }

    private static final int ACCESSED = 1 << 8;

    // ---------------------------------------------------------------- data and stack segment loads

    /** mov sreg, pop sreg, lds/les/lfs/lgs/lss: loads segment register {@code seg} (not CS) as the CPU does. */
    void load(int seg, int selector) {
        int cpl = cpl();
        selector &= 0xFFFF;
        if (seg == X86.SEG_SS) {
            if ((selector & ~3) == 0) throw fault.raise(Vectors.GP, 0);
            long d = descriptor(selector);
            if ((selector & 3) != cpl || !Descriptor.isWritableData(d) || Descriptor.dpl(d) != cpl) {
                throw fault.raise(Vectors.GP, selector & ~3);
            }
            if (!Descriptor.present(d)) throw fault.raise(Vectors.SS, selector & ~3);
        } else if ((selector & ~3) != 0) {
            long d = descriptor(selector);
            int type = Descriptor.type(d);
            boolean data = (type & 0x18) == 0x10;
            boolean readableCode = (type & 0x1A) == 0x1A;
            if (!data && !readableCode) throw fault.raise(Vectors.GP, selector & ~3);
            if ((data || !Descriptor.conforming(d)) && ((selector & 3) > Descriptor.dpl(d) || cpl > Descriptor.dpl(d))) {
                throw fault.raise(Vectors.GP, selector & ~3);
            }
            if (!Descriptor.present(d)) throw fault.raise(Vectors.NP, selector & ~3);
        }
        uc.setReg(X86.segmentRegister(seg), selector);
        segments.invalidate();
    }

    // ---------------------------------------------------------------- far transfers

    /** The code segment checks of a far jmp or call to {@code selector} at the same privilege; returns the descriptor. */
    private long farTarget(int selector, String what) {
        int cpl = cpl();
        if ((selector & ~3) == 0) throw fault.raise(Vectors.GP, 0);
        long d = descriptor(selector);
        if (!Descriptor.isCode(d)) {
            int type = Descriptor.type(d);
            if (type == 0x0C || type == 0x04) throw unsupported("a far " + what + " through a call gate");
            if (type == 0x05 || type == 0x09 || type == 0x01) throw unsupported("a far " + what + " to a task");
            throw fault.raise(Vectors.GP, selector & ~3);
        }
        if (Descriptor.conforming(d) ? Descriptor.dpl(d) > cpl
                : (selector & 3) > cpl || Descriptor.dpl(d) != cpl) {
            throw fault.raise(Vectors.GP, selector & ~3);
        }
        if (!Descriptor.present(d)) throw fault.raise(Vectors.NP, selector & ~3);
        markAccessed(uc, mem, selector, d);
        return d;
    }

    private int farOffset, farSelector;
    /** Where the last far transfer, iret or sysexit went: its linear address, and whether to user code (CPL 3). */
    private int entered;
    private boolean enteredUser;

    int entered() { return entered; }

    boolean enteredUser() { return enteredUser; }

    private void enter(long code, int eip, boolean user) {
        entered = Descriptor.base(code) + eip;
        enteredUser = user;
    }

    /**
     * Reads the far pointer of the instruction: its ptr16:16/32 immediate (jmp EA, call 9A) or its m16:16/32 memory
     * operand (jmp/call FF, lds and the other far loads; a register operand is #UD). Sets {@link #farOffset()} and
     * {@link #farSelector()}.
     */
    void readFarPointer() {
        if (op.opcode == 0xEA || op.opcode == 0x9A) {
            farOffset = op.opsize32 ? op.imm32(0) : op.imm16(0);
            farSelector = op.imm16(op.opsize32 ? 4 : 2);
            return;
        }
        if (!op.isMemory()) throw fault.raise(Vectors.UD, 0);
        int a = op.address(op.opsize32 ? 6 : 4, false);
        farOffset = op.opsize32 ? mem.read32(a, false) : mem.read16(a, false);
        farSelector = mem.read16(a + (op.opsize32 ? 4 : 2), false);
    }

    int farOffset() { return farOffset; }

    int farSelector() { return farSelector; }

    /** jmp ptr16:32 / jmp m16:32. */
    void farJump() {
        readFarPointer();
        long code = farTarget(farSelector, "jmp");
        int cpl = cpl();
        loadCode(uc, (farSelector & ~3) | cpl, code);
        segments.codeLoaded(code);
        uc.setReg(X86.EIP, farOffset);
        enter(code, farOffset, cpl == 3);
    }

    /** call ptr16:32 / call m16:32: pushes CS and the return EIP, then jumps. */
    void farCall() {
        readFarPointer();
        int offset = farOffset, selector = farSelector;
        long code = farTarget(selector, "call");
        int esp = uc.reg(X86.ESP);
        int cs = uc.selector(X86.CS);
        op.push(cs, false);
        try {
            op.push(op.next(), false);
        } catch (GuestFault f) {
            uc.setReg(X86.ESP, esp);
            throw f;
        }
        int cpl = cpl();
        loadCode(uc, (selector & ~3) | cpl, code);
        segments.codeLoaded(code);
        uc.setReg(X86.EIP, offset);
        enter(code, offset, cpl == 3);
    }

    /** retf and retf n: to the same privilege, or out to a less privileged one (popping SS:ESP too). */
    void farReturn() {
        int cpl = cpl();
        int extra = op.opcode == 0xCA ? op.imm16(0) : 0;
        int eip = op.peek(0, false);
        int cs = op.peek(1, false) & 0xFFFF;
        long code = returnCodeSegment(cs, cpl);
        int rpl = cs & 3;
        if (rpl == cpl) {
            op.drop(2, extra);
            loadCode(uc, cs, code);
            segments.codeLoaded(code);
            uc.setReg(X86.EIP, eip);
            enter(code, eip, rpl == 3);
            return;
        }
        int size = op.opsize32 ? 4 : 2;
        int esp = op.opsize32 ? mem.read32(op.stackAddress(2 * size + extra), false) : mem.read16(op.stackAddress(2 * size + extra), false);
        int at = op.stackAddress(3 * size + extra);
        int ss = (op.opsize32 ? mem.read32(at, false) : mem.read16(at, false)) & 0xFFFF;
        checkOuterStack(ss, rpl);
        toOuterRing(rpl, ss, esp + extra, cs, code, eip);
        segments.codeLoaded(code);
        enter(code, eip, rpl == 3);
    }

    /** The checks on the CS a far return or iret goes back to (SDM: RET, IRET "RETURN-FROM-PROTECTED-MODE"). */
    private long returnCodeSegment(int cs, int cpl) {
        if ((cs & ~3) == 0) throw fault.raise(Vectors.GP, 0);
        long d = descriptor(cs);
        int rpl = cs & 3;
        if (!Descriptor.isCode(d) || rpl < cpl) throw fault.raise(Vectors.GP, cs & ~3);
        if (Descriptor.conforming(d) ? Descriptor.dpl(d) > rpl : Descriptor.dpl(d) != rpl) {
            throw fault.raise(Vectors.GP, cs & ~3);
        }
        if (!Descriptor.present(d)) throw fault.raise(Vectors.NP, cs & ~3);
        markAccessed(uc, mem, cs, d);
        return d;
    }

    private void checkOuterStack(int ss, int rpl) {
        if ((ss & ~3) == 0) throw fault.raise(Vectors.GP, 0);
        long d = descriptor(ss);
        if ((ss & 3) != rpl || !Descriptor.isWritableData(d) || Descriptor.dpl(d) != rpl) {
            throw fault.raise(Vectors.GP, ss & ~3);
        }
        if (!Descriptor.present(d)) throw fault.raise(Vectors.SS, ss & ~3);
    }

    /** Commits a return to the less privileged ring {@code rpl}: SS:ESP, CS:EIP, and the data segments it may not use. */
    private void toOuterRing(int rpl, int ss, int esp, int cs, long code, int eip) {
        uc.context().setCpl(rpl);
        uc.setReg(X86.SS, ss);
        loadCode(uc, cs, code);
        uc.setReg(X86.ESP, esp);
        uc.setReg(X86.EIP, eip);
        // SDM (IRET, RET): a data segment or non-conforming code segment whose DPL, as held in the segment register's
        // hidden part (not the table, which may have changed since), is below the new CPL is nulled; a null selector
        // too (its hidden DPL is 0), whose RPL then goes.
        uc.context().segmentCaches(caches);
        for (int seg : OUTER_NULLED) {
            int sel = (int) caches[4 * seg], flags = (int) caches[4 * seg + 3];
            boolean conformingCode = (flags & (CODE_SEGMENT | CONFORMING)) == (CODE_SEGMENT | CONFORMING);
            if (sel != 0 && !conformingCode && ((flags >>> 13) & 3) < rpl) uc.setReg(X86.segmentRegister(seg), 0);
        }
        segments.invalidate();
    }

    private static final int[] OUTER_NULLED = {X86.SEG_ES, X86.SEG_DS, X86.SEG_FS, X86.SEG_GS};
    /** Attribute bits of a descriptor's high dword: code (as opposed to data), and conforming. */
    private static final int CODE_SEGMENT = 1 << 11, CONFORMING = 1 << 10;
    private final long[] caches = new long[40];

    // ---------------------------------------------------------------- iret

    /**
     * iret in protected mode: to the same privilege or out to a less privileged one. Returns true if it set IF (the
     * run loop may have an interrupt to deliver).
     */
    boolean iret() {
        int cpl = cpl();
        int oldFlags = uc.reg(X86.EFLAGS);
        if ((oldFlags & X86.FLAG_NT) != 0) throw unsupported("iret with NT set (a return from a nested task)");
        int eip = op.peek(0, false);
        int cs = op.peek(1, false) & 0xFFFF;
        int flags = op.peek(2, false);
        if (!op.opsize32) flags = (oldFlags & 0xFFFF0000) | (flags & 0xFFFF);
        if ((flags & X86.FLAG_VM) != 0 && cpl == 0) throw unsupported("iret to virtual-8086 mode");
        long code = returnCodeSegment(cs, cpl);
        int rpl = cs & 3;
        // SDM: at CPL 0 a 32-bit iret also loads VIF and VIP (popf never does).
        int newFlags = mergeFlags(oldFlags, flags, cpl, cpl == 0 && op.opsize32 ? FLAG_IRET_MASK | FLAG_VIF | FLAG_VIP
                : FLAG_IRET_MASK);
        if (rpl == cpl) {
            op.drop(3, 0);
            loadCode(uc, cs, code);
        } else {
            int esp = op.peek(3, false);
            int ss = op.peek(4, false) & 0xFFFF;
            checkOuterStack(ss, rpl);
            toOuterRing(rpl, ss, esp, cs, code, eip);
        }
        segments.codeLoaded(code);
        uc.setReg(X86.EFLAGS, newFlags);
        iretTrapFlag = (newFlags & X86.FLAG_TF) != 0;
        uc.setReg(X86.EIP, op.opsize32 ? eip : eip & 0xFFFF);
        enter(code, op.opsize32 ? eip : eip & 0xFFFF, rpl == 3);
        return (oldFlags & X86.FLAG_IF) == 0 && (newFlags & X86.FLAG_IF) != 0;
    }

    private boolean iretTrapFlag;

    /** Whether the last emulated iret set TF. */
    boolean lastIretTrapFlag() { return iretTrapFlag; }

    /** The flags iret and popf may change: the arithmetic ones, TF, IF, DF, IOPL, NT, AC, ID (and RF for iret). */
    static final int FLAG_POPF_MASK = 0x000DD5 | X86.FLAG_TF | X86.FLAG_IF | X86.FLAG_IOPL | X86.FLAG_NT | X86.FLAG_AC
            | X86.FLAG_ID;
    static final int FLAG_IRET_MASK = FLAG_POPF_MASK | X86.FLAG_RF;
    private static final int FLAG_VIF = 1 << 19, FLAG_VIP = 1 << 20;

    /**
     * EFLAGS after popf or iret loads {@code popped}: IOPL changes only at CPL 0, IF only when CPL &lt;= IOPL (both
     * silently kept otherwise: Robin &amp; Irvine's point), VM never; bit 1 is always set.
     */
    static int mergeFlags(int old, int popped, int cpl, int mask) {
        if (cpl > 0) mask &= ~X86.FLAG_IOPL;
        if (cpl > ((old & X86.FLAG_IOPL) >>> 12)) mask &= ~X86.FLAG_IF;
        return (old & ~mask) | (popped & mask) | 2;
    }

    // ---------------------------------------------------------------- lar, lsl, verr, verw

    /** lar, lsl, verr or verw (by {@link Operands#opcode} and reg): sets ZF, and the result register for lar/lsl. */
    void inspect() {
        int cpl = cpl();
        int selector = op.rm16(false);
        boolean lar = op.opcode == 0x0F02, lsl = op.opcode == 0x0F03;
        boolean verr = !lar && !lsl && op.reg == 4;
        // A null selector, or one past its table's limit, is "not valid" (ZF clear), never a fault.
        long d = (selector & ~3) == 0 ? MISSING : descriptorOrMissing(selector);
        boolean ok = d != MISSING;
        if (ok) {
            int type = Descriptor.type(d);
            boolean segment = (type & 0x10) != 0;
            if (lar || lsl) {
                if (!segment) ok = lar ? LAR_SYSTEM_TYPES[type] : LSL_SYSTEM_TYPES[type];
            } else if (!segment) {
                ok = false;
            } else if (verr) {
                ok = (type & 0x18) == 0x10 || (type & 0x1A) == 0x1A;   // data, or readable code
            } else {
                ok = (type & 0x1A) == 0x12;                              // writable data
            }
            boolean conformingCode = segment && (type & 0x1C) == 0x1C;
            if (ok && !conformingCode && (Descriptor.dpl(d) < cpl || Descriptor.dpl(d) < (selector & 3))) ok = false;
        }
        int eflags = uc.reg(X86.EFLAGS);
        uc.setReg(X86.EFLAGS, ok ? eflags | X86.FLAG_ZF : eflags & ~X86.FLAG_ZF);
        if (!ok || !(lar || lsl)) return;
        int value = lar ? Descriptor.high(d) & 0x00F0FF00 : Descriptor.limit(d);
        op.setRegSized(op.reg, lar && !op.opsize32 ? value & 0xFF00 : value);
    }

    /** System types lar accepts: 16-bit TSS (1, 3), LDT (2), call gate (4, C), task gate (5), 32-bit TSS (9, B). */
    private static final boolean[] LAR_SYSTEM_TYPES = types(1, 2, 3, 4, 5, 9, 0xB, 0xC);
    /** System types lsl accepts: TSSs and the LDT (they have a limit; gates do not). */
    private static final boolean[] LSL_SYSTEM_TYPES = types(1, 2, 3, 9, 0xB);

    private static boolean[] types(int... t) {
        boolean[] b = new boolean[32];
        for (int x : t) b[x] = true;
        return b;
    }

    // ---------------------------------------------------------------- lldt, ltr

    void lldt() {
        int selector = op.rm16(false);
        if ((selector & ~3) == 0) {   // LDTR is marked invalid, and keeps the selector (with its RPL) for sldt
            uc.setTable(X86.LDTR, 0, 0, selector, 0);
            return;
        }
        if ((selector & 4) != 0) throw fault.raise(Vectors.GP, selector & ~3);
        long d = descriptor(selector);
        if (Descriptor.type(d) != 0x02) throw fault.raise(Vectors.GP, selector & ~3);
        if (!Descriptor.present(d)) throw fault.raise(Vectors.NP, selector & ~3);
        uc.setTable(X86.LDTR, Descriptor.base(d) & 0xFFFFFFFFL, Descriptor.limit(d), selector, Descriptor.high(d) & 0x00F0FF00);
    }

    void ltr() {
        int selector = op.rm16(false);
        if ((selector & ~3) == 0) throw fault.raise(Vectors.GP, 0);
        if ((selector & 4) != 0) throw fault.raise(Vectors.GP, selector & ~3);
        long d = descriptor(selector);
        int type = Descriptor.type(d);
        if (type != 0x01 && type != 0x09) throw fault.raise(Vectors.GP, selector & ~3);
        if (!Descriptor.present(d)) throw fault.raise(Vectors.NP, selector & ~3);
        // Mark the TSS busy in the GDT, as the CPU does.
        int gdt = (int) uc.readTable(X86.GDTR);
        int typeByte = gdt + (selector & ~7) + 5;
        mem.write8(typeByte, mem.read8(typeByte, false) | 2, false);
        uc.setTable(X86.TR, Descriptor.base(d) & 0xFFFFFFFFL, Descriptor.limit(d), selector,
                (Descriptor.high(d) | (2 << 8)) & 0x00F0FF00);
    }

    // ---------------------------------------------------------------- sysenter, sysexit

    /**
     * sysenter: to ring 0 at SYSENTER_EIP, CS = SYSENTER_CS and SS = SYSENTER_CS + 8 as flat segments (the GDT is not
     * read: whatever it holds there, the CPU loads fixed attributes), IF, VM and RF cleared, the other flags kept.
     */
    void sysenter() {
        int cs = (int) uc.msr(X86.MSR_SYSENTER_CS) & 0xFFFC;
        if (cs == 0) throw fault.raise(Vectors.GP, 0);
        uc.context().loadFlatCodeAndStack(cs, cs + 8, 0, X86.FLAG_VM | X86.FLAG_IF | X86.FLAG_RF);
        uc.setReg(X86.ESP, (int) uc.msr(X86.MSR_SYSENTER_ESP));
        uc.setReg(X86.EIP, (int) uc.msr(X86.MSR_SYSENTER_EIP));
        segments.invalidate();
        segments.codeLoaded(32);   // sysenter's and sysexit's code segments are flat 32-bit by definition
    }

    /** sysexit: to ring 3 at EDX with stack ECX, CS = SYSENTER_CS + 16 and SS = SYSENTER_CS + 24, RPL 3, flat. */
    void sysexit() {
        int cs = (int) uc.msr(X86.MSR_SYSENTER_CS) & 0xFFFC;
        if (cs == 0 || cpl() != 0) throw fault.raise(Vectors.GP, 0);
        int eip = uc.reg(X86.EDX), esp = uc.reg(X86.ECX);
        uc.context().loadFlatCodeAndStack((cs + 16) | 3, (cs + 24) | 3, 3, 0);
        uc.setReg(X86.ESP, esp);
        uc.setReg(X86.EIP, eip);
        segments.invalidate();
        segments.codeLoaded(32);
        entered = eip;
        enteredUser = true;
    }
}
