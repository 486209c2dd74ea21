package popek.cpu;

import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * Delivers an exception or interrupt through the guest's IDT in protected mode, as the CPU would (Intel SDM vol. 3,
 * 6.12): gate checks (limit, type, present, DPL for software interrupts), the target code segment, a stack switch
 * to the ring-0..2 stack from the TSS on a privilege change, the frame (SS, ESP when switching, EFLAGS, CS, EIP,
 * error code), IF cleared for interrupt gates. A fault while delivering escalates per the SDM's table to #DF, and a
 * fault while delivering #DF is a triple fault. Unicorn never does any of this itself.
 *
 * <p>Loading a more privileged SS through Unicorn's register API is refused while CPL is 3, so a privilege change
 * first sets the CPL ({@link popek.engine.CpuContext#setCpl}), then loads SS and CS normally. Runs on the vCPU thread; allocates
 * nothing.
 */
final class InterruptDelivery {
    /**
     * Where the event came from: it decides the DPL check (software only), the error code's EXT bit (set for all but
     * software), and #DF escalation (exceptions only).
     */
    enum Source { EXCEPTION, SOFTWARE, EXTERNAL }

    /** What became of an event. */
    enum Result {
        DELIVERED,
        /** Delivering it faulted, and so did delivering the double fault. */
        TRIPLE_FAULT,
        /** It needed something Popek does not emulate (task gates, 16-bit gates, v8086): {@link #unsupportedReason()}. */
        UNSUPPORTED,
        /**
         * Real mode: an exception or {@code int n} whose IVT entry is still {@link BiosStub}'s would enter the BIOS
         * Popek does not provide; nothing was delivered, the caller decides. (An external interrupt there is
         * delivered: the stub's iret returns at once.)
         */
        INTO_MISSING_BIOS,
        /** A para-virtualised guest's trap table has no entry for the vector ({@link #missingVector()}): nothing was delivered. */
        NO_TRAP_ENTRY,
        /** The delivery reached memory that does not exist ({@link #noMemory()}): the machine stops, as Unicorn would. */
        NO_MEMORY
    }

    private final Unicorn uc;
    private final GuestAccess mem;
    private final GuestFault fault;
    private final SegmentCache segments;
    private String unsupported;
    /** A para-virtualised guest's interface, whose trap table (once set) stands in for the IDT; or null. */
    private ParaGuest para;
    private boolean noTrapEntry;
    private int missingVector;

    void para(ParaGuest para) { this.para = para; }

    /** The vector {@link Result#NO_TRAP_ENTRY} was about. */
    int missingVector() { return missingVector; }

    private NoMemory noMemory;

    /** Where {@link #NO_MEMORY} was about. */
    NoMemory noMemory() { return noMemory; }

    InterruptDelivery(Unicorn uc, GuestAccess mem, GuestFault fault, SegmentCache segments) {
        this.uc = uc;
        this.mem = mem;
        this.fault = fault;
        this.segments = segments;
    }

    /** Why the last delivery returned {@link Result#UNSUPPORTED}. */
    String unsupportedReason() { return unsupported; }

    /**
     * @param source where the event came from
     * @param errorCode pushed only for exceptions that have one
     * @param returnEip the EIP the frame saves: the faulting instruction for faults, the next one for traps and
     *                  {@code int n}, the interrupted one for external interrupts
     */
    Result deliver(int vector, Source source, int errorCode, int returnEip) {
        return deliver(vector, source, errorCode, returnEip, 0);
    }

    /**
     * A para-virtualised guest's event upcall: an external event delivered through {@code gate} (an IDT descriptor
     * Popek made) instead of an IDT entry. A fault while delivering goes on through the trap table as usual.
     */
    Result deliverUpcall(long gate, int returnEip) {
        return deliver(-1, Source.EXTERNAL, 0, returnEip, gate);
    }

    private Result deliver(int vector, Source source, int errorCode, int returnEip, long givenGate) {
        mem.refresh();
        boolean pushError = source == Source.EXCEPTION && Vectors.hasErrorCode(vector);
        boolean real = (uc.reg(X86.CR0) & X86.CR0_PE) == 0;
        unsupported = null;
        noTrapEntry = false;
        for (;;) {
            try {
                if (real) {
                    if (source != Source.EXTERNAL && intoBios(vector)) return Result.INTO_MISSING_BIOS;
                    deliverReal(vector, returnEip);
                } else deliverOnce(vector, source, pushError, errorCode, returnEip, givenGate);
                return Result.DELIVERED;
            } catch (NoMemory m) {
                noMemory = m;
                return Result.NO_MEMORY;
            } catch (GuestFault f) {
                givenGate = 0;
                if (noTrapEntry) return Result.NO_TRAP_ENTRY;
                if (unsupported != null) return Result.UNSUPPORTED;
                if (vector == Vectors.DF && source == Source.EXCEPTION) return Result.TRIPLE_FAULT;
                // A fault raised while delivering points at the instruction that caused the event: for int n,
                // int3 and into the engine reported the EIP after it (the length depends on the original vector).
                if (source == Source.SOFTWARE) returnEip -= softwareInterruptLength(vector, returnEip);
                boolean escalate = source == Source.EXCEPTION && Vectors.doubleFault(vector, f.vector);
                vector = escalate ? Vectors.DF : f.vector;
                errorCode = escalate ? 0 : f.errorCode;   // deliverOnce already set the EXT bit
                pushError = Vectors.hasErrorCode(vector);
                source = Source.EXCEPTION;
            }
        }
    }

    private void deliverOnce(int vector, Source source, boolean pushError, int errorCode, int eip, long givenGate) {
        unsupported = null;
        // SDM vol. 3A, 6.13: EXT is set when the event came from outside the program (an interrupt, or an exception
        // the CPU raised), and clear only for int n, int3 and into.
        int ext = source == Source.SOFTWARE ? 0 : 1;
        int cs = uc.selector(X86.CS);
        int cpl = cs & 3;   // protected mode, no conforming-code subtleties at an event boundary
        int eflags = uc.reg(X86.EFLAGS);
        if ((eflags & X86.FLAG_VM) != 0) throw unsupported("virtual-8086 mode");

        // The gate: the one given (an upcall), the para-virtual trap table's, or the IDT's.
        long gate;
        boolean fromTrapTable = false;
        if (givenGate != 0) {
            gate = givenGate;
        } else if (para != null && para.hasTrapTable()) {
            gate = para.trapGate(vector);
            if (gate == 0) {
                noTrapEntry = true;
                missingVector = vector;
                throw fault.raise(-1, 0);
            }
            fromTrapTable = true;
        } else {
            int idtBase = (int) uc.readTable(X86.IDTR);
            int idtLimit = uc.tableLimit();
            if (vector * 8 + 7 > idtLimit) throw fault.raise(Vectors.GP, vector * 8 + 2 + ext);
            gate = mem.read64(idtBase + vector * 8, false);
        }
        int type = Descriptor.type(gate);
        boolean interruptGate;
        switch (type) {
            case 0x0E -> interruptGate = true;
            case 0x0F -> interruptGate = false;
            case 0x05 -> throw unsupported("a task gate (IDT vector " + vector + ")");
            case 0x06, 0x07 -> throw unsupported("a 16-bit interrupt or trap gate (IDT vector " + vector + ")");
            default -> throw fault.raise(Vectors.GP, vector * 8 + 2 + ext);
        }
        if (source == Source.SOFTWARE && Descriptor.dpl(gate) < cpl) throw fault.raise(Vectors.GP, vector * 8 + 2);
        if (!Descriptor.present(gate)) throw fault.raise(Vectors.NP, vector * 8 + 2 + ext);

        // The handler's code segment.
        int sel = Descriptor.gateSelector(gate);
        if ((sel & ~3) == 0) throw fault.raise(Vectors.GP, ext);
        long code = readDescriptor(sel, ext);
        if (!Descriptor.isCode(code) || Descriptor.dpl(code) > cpl) throw fault.raise(Vectors.GP, (sel & ~3) + ext);
        if (!Descriptor.present(code)) throw fault.raise(Vectors.NP, (sel & ~3) + ext);
        SegmentOps.markAccessed(uc, mem, sel, code);
        int newCpl = Descriptor.conforming(code) ? cpl : Descriptor.dpl(code);

        int esp = uc.reg(X86.ESP);
        int ss = uc.selector(X86.SS);
        int frameSize = (pushError ? 4 : 0) + 12;
        int newSs = ss, newEsp, stackBase;
        boolean codeCached = false;   // CS's hidden part already holds the handler's code segment
        int spMask = -1;   // a 16-bit stack segment (on the way to or from real mode) wraps SP at 64 KiB
        if (newCpl < cpl) {
            // Inner stack from the TSS (32-bit TSS: ESPn at 4 + 8n, SSn at 8 + 8n).
            int tssBase = (int) uc.readTable(X86.TR);
            int tssLimit = uc.tableLimit();
            int tr = uc.tableSelector();
            if ((tr & ~3) == 0 || tssLimit < 8 + 8 * newCpl + 1) throw fault.raise(Vectors.TS, (tr & ~3) + ext);
            newEsp = mem.read32(tssBase + 4 + 8 * newCpl, false);
            newSs = mem.read16(tssBase + 8 + 8 * newCpl, false);
            if ((newSs & ~3) == 0) throw fault.raise(Vectors.TS, ext);
            long stack = readDescriptor(newSs, Vectors.TS, ext);
            if ((newSs & 3) != newCpl || Descriptor.dpl(stack) != newCpl || !Descriptor.isWritableData(stack)) {
                throw fault.raise(Vectors.TS, (newSs & ~3) + ext);
            }
            if (!Descriptor.present(stack)) throw fault.raise(Vectors.SS, (newSs & ~3) + ext);
            stackBase = Descriptor.base(stack);
            if ((Descriptor.high(stack) & (1 << 22)) == 0) spMask = 0xFFFF;
            frameSize += 8;
        } else {
            // The current stack as SS's hidden part holds it (its base and B bit), not as the table now describes
            // it: a kernel that moved or rewrote its GDT still pushes where its stack is (SDM vol. 3A, 6.12.1; QEMU's
            // do_interrupt_protected reads env->segs[R_SS]). Read fresh: emulate mode loads SS unseen.
            newEsp = esp;
            segments.invalidate();
            stackBase = (int) segments.base(X86.SEG_SS);
            if ((segments.flags(X86.SEG_SS) & (1 << 22)) == 0) spMask = 0xFFFF;
            codeCached = (sel & ~3 | newCpl) == cs && segments.base(X86.SEG_CS) == (Descriptor.base(code) & 0xFFFFFFFFL)
                    && segments.limit(X86.SEG_CS) == Descriptor.limit(code)
                    && ((segments.flags(X86.SEG_CS) ^ Descriptor.high(code)) & ATTRIBUTES_BUT_ACCESSED) == 0;
        }

        // The frame: check the whole of it is writable first, so a fault leaves memory untouched; each push in the
        // order the CPU pushes it (a fault names the first that fails in CR2, as QEMU's), SP wrapping on a 16-bit stack.
        boolean user = newCpl == 3;
        mem.probePushes(stackBase, newEsp, frameSize, spMask, user);
        int at = newEsp;
        if (newCpl < cpl) {
            mem.write32(stackBase + ((at -= 4) & spMask), ss, user);
            mem.write32(stackBase + ((at -= 4) & spMask), esp, user);
        }
        mem.write32(stackBase + ((at -= 4) & spMask), eflags, user);
        mem.write32(stackBase + ((at -= 4) & spMask), cs, user);
        mem.write32(stackBase + ((at -= 4) & spMask), eip, user);
        if (pushError) mem.write32(stackBase + ((at -= 4) & spMask), errorCode, user);
        if (spMask != -1) at = (newEsp & ~spMask) | (at & spMask);

        // Commit: from here on nothing can fault.
        int newCs = (sel & ~3) | newCpl;
        if (newCpl < cpl) {
            uc.context().setCpl(newCpl);
            uc.setReg(X86.SS, newSs);
        }
        // CS is loaded from the table even when its selector does not change, if the descriptor there has (a GDT
        // moved or rewritten since CS was loaded); when CS already holds it, the load would change nothing.
        if (!codeCached) SegmentOps.loadCode(uc, newCs, code);
        segments.codeLoaded(code);
        uc.setReg(X86.ESP, at);
        int newFlags = eflags & ~(X86.FLAG_TF | X86.FLAG_NT | X86.FLAG_RF | X86.FLAG_VM);
        if (interruptGate) newFlags &= ~X86.FLAG_IF;
        uc.setReg(X86.EFLAGS, newFlags);
        uc.setReg(X86.EIP, Descriptor.gateOffset(gate));
        if (fromTrapTable) para.trapDelivered(vector);
    }

    /** The attribute bits of a descriptor's high dword (G, D/B, AVL, P, DPL, S, type) but the accessed bit. */
    private static final int ATTRIBUTES_BUT_ACCESSED = 0x00F0FE00;

    /**
     * Real mode (SDM vol. 3, 20.1.4): the IVT entry at IDTR.base + 4 * vector gives CS:IP; FLAGS, CS and IP are pushed
     * as words on SS:SP, and IF, TF and AC are cleared. There is no error code and no privilege. An entry past the
     * IDTR's limit is #GP (which escalates to #DF and then to shutdown, as in protected mode).
     */
    private void deliverReal(int vector, int eip) {
        int ivt = (int) uc.readTable(X86.IDTR);
        if (vector * 4 + 3 > uc.tableLimit()) throw fault.raise(Vectors.GP, 0);
        int offset = mem.read16(ivt + vector * 4, false);
        int segment = mem.read16(ivt + vector * 4 + 2, false);
        int esp = uc.reg(X86.ESP);
        // SS's hidden base, which is the selector's paragraph unless SS was loaded in protected mode and kept since
        // (QEMU's do_interrupt_real reads env->segs[R_SS].base too).
        segments.invalidate();
        int stackBase = (int) segments.base(X86.SEG_SS);
        int sp = esp & 0xFFFF;
        int flags = uc.reg(X86.EFLAGS);
        // SP wraps within the 64 KiB segment, so each word is written at its own wrapped offset.
        mem.write16(stackBase + ((sp - 2) & 0xFFFF), flags, false);
        mem.write16(stackBase + ((sp - 4) & 0xFFFF), uc.selector(X86.CS), false);
        mem.write16(stackBase + ((sp - 6) & 0xFFFF), eip, false);
        uc.setReg(X86.ESP, (esp & 0xFFFF0000) | ((sp - 6) & 0xFFFF));
        uc.setReg(X86.CS, segment);
        uc.setReg(X86.EFLAGS, flags & ~(X86.FLAG_IF | X86.FLAG_TF | X86.FLAG_AC | X86.FLAG_RF));
        uc.setReg(X86.EIP, offset);
    }

    private boolean intoBios(int vector) {
        int ivt = (int) uc.readTable(X86.IDTR);
        return vector * 4 + 3 <= uc.tableLimit() && mem.read32(ivt + vector * 4, false) == BiosStub.IVT_ENTRY;
    }

    /** The GDT or LDT descriptor for a selector, or the #GP the CPU raises for one past the table's limit. */
    private long readDescriptor(int selector, int ext) { return readDescriptor(selector, Vectors.GP, ext); }

    /** The same, raising {@code vector} instead (#TS for the inner stack the TSS names: SDM, INT n). */
    private long readDescriptor(int selector, int vector, int ext) {
        boolean ldt = (selector & 4) != 0;
        int base = (int) uc.readTable(ldt ? X86.LDTR : X86.GDTR);
        int limit = uc.tableLimit();
        int index = selector & ~7;
        if (index + 7 > limit) throw fault.raise(vector, (selector & ~3) + ext);
        return mem.read64(base + index, false);
    }

    /** int n is CD ib; int3 (CC), into (CE) and int1 (F1) are one byte. */
    private int softwareInterruptLength(int vector, int eip) {
        byte[] b = intProbe;
        if (mem.fetch(eip - 2, b, 2) == 2 && (b[0] & 0xFF) == 0xCD && (b[1] & 0xFF) == vector) return 2;
        return 1;
    }

    private final byte[] intProbe = new byte[2];

    private GuestFault unsupported(String what) {
        unsupported = what;
        return fault.raise(-1, 0);
    }
}
