package popek.cpu;

import popek.engine.Unicorn;
import popek.engine.X86;
import popek.translate.SensitiveClass;

/**
 * Emulates one trapped sensitive instruction against the virtual CPU, as the Intel SDM describes it, so that the
 * guest cannot tell it did not run on the CPU: {@code pushf} pushes the flags as they are, {@code sgdt} stores the
 * guest's own GDTR, {@code smsw} the guest's CR0, {@code mov cr3} switches the guest's address space (and so the
 * shadow MMU's).
 *
 * <p>The virtual CPU's architectural state lives in the engine's registers, which Popek sets through Unicorn's API when
 * it emulates an instruction (the guest kernel runs in ring 0 of the emulated CPU, so there is no deprivileged real
 * state to hide; what full virtualisation changes is that the instruction never runs on the CPU: Popek decides its
 * effect). The state that has no engine register, or whose engine register Popek does not trust, is kept here: the
 * time-stamp counter's MSR (the virtual TSC, as {@code rdtsc} reads it: the virtual clock at a configurable rate), and
 * CR0's ET bit (always set, as QEMU's CPU keeps it; Unicorn's register write would clear it). The debug registers are
 * the engine's, stored but never armed (the virtual CPU has no hardware breakpoints).
 *
 * <p>A fault raised by the emulation is thrown as {@link GuestFault} before any state changes, and the caller
 * delivers it with the instruction's own address, as the CPU raises faults.
 */
final class SensitiveEmulator {
    private final Unicorn uc;
    private final GuestAccess mem;
    private final GuestFault fault;
    private final SegmentCache segments;
    private final Operands op;
    private final SegmentOps seg;
    private final VirtualTsc tsc;
    /** Where rewritten port I/O goes: the same path as the port hooks', with the same work after each access. */
    private final DeviceAccess ports;

    SensitiveEmulator(Unicorn uc, GuestAccess mem, GuestFault fault, SegmentCache segments, Operands op, VirtualTsc tsc,
                      DeviceAccess ports) {
        this.ports = ports;
        this.uc = uc;
        this.mem = mem;
        this.fault = fault;
        this.segments = segments;
        this.op = op;
        this.seg = new SegmentOps(uc, mem, fault, segments, op);
        this.tsc = tsc;
    }

    /** Set when an emulated popf or iret set TF: the guest may be single-stepping (read and cleared by the caller). */
    boolean stepping;

    /** Why the last fault with vector -1 was raised: an instruction form Popek does not emulate. */
    String unsupported() { return seg.unsupported(); }

    /** The linear address the last emulated far transfer, iret or sysexit went to. */
    int entered() { return seg.entered(); }

    /** Whether it went to user code (CPL 3). */
    boolean enteredUser() { return seg.enteredUser(); }

    /**
     * Emulates the decoded instruction ({@link Operands}) of class {@code cls} and sets EIP past it (or to where it
     * transfers). Returns what it asks of the run loop besides that: {@link TrapResult#CONTINUE}, {@link TrapResult#HALT},
     * {@link TrapResult#INTERRUPT_WINDOW} or {@link TrapResult#SHADOW}.
     */
    TrapResult emulate(SensitiveClass cls, int eipNow) {
        // The CPL from the cached hflags: kernel code changes it only through traps, which refresh the cache (a
        // native register read costs ~35 ns here, a fifth of the whole trap).
        int cpl = segments.hflags() & 3;
        int next = op.next();
        TrapResult result = TrapResult.CONTINUE;
        switch (cls) {
            case CLI, STI -> {
                int flags = uc.reg(X86.EFLAGS);
                if (cpl > ((flags & X86.FLAG_IOPL) >>> 12)) throw fault.raise(Vectors.GP, 0);
                if (cls == SensitiveClass.CLI) {
                    uc.setReg(X86.EFLAGS, flags & ~X86.FLAG_IF);
                } else if ((flags & X86.FLAG_IF) == 0) {
                    uc.setReg(X86.EFLAGS, flags | X86.FLAG_IF);
                    result = TrapResult.SHADOW;   // no interrupt until after the next instruction: sti; hlt must sleep
                }
            }
            case HLT -> {
                privileged(cpl);
                result = TrapResult.HALT;
            }
            case PUSHF -> {
                int flags = uc.reg(X86.EFLAGS) & ~(X86.FLAG_VM | X86.FLAG_RF);
                op.push(flags, false);
            }
            case POPF -> {
                int old = uc.reg(X86.EFLAGS);
                int popped = op.peek(0, false);
                if (!op.opsize32) popped = (old & 0xFFFF0000) | (popped & 0xFFFF);
                op.drop(1, 0);
                int flags = SegmentOps.mergeFlags(old, popped, cpl, SegmentOps.FLAG_POPF_MASK);
                if (op.opsize32) flags &= ~X86.FLAG_RF;   // SDM: popfd clears RF (popf leaves the high word alone)
                uc.setReg(X86.EFLAGS, flags);
                stepping |= (flags & X86.FLAG_TF) != 0;
                if ((old & X86.FLAG_IF) == 0 && (flags & X86.FLAG_IF) != 0) result = TrapResult.INTERRUPT_WINDOW;
            }
            case IRET -> {
                if (seg.iret()) result = TrapResult.INTERRUPT_WINDOW;
                stepping |= seg.lastIretTrapFlag();
                return result;   // iret set EIP itself
            }
            case SGDT, SIDT -> {
                if (!op.isMemory()) throw fault.raise(Vectors.UD, 0);
                long base = uc.readTable(cls == SensitiveClass.SGDT ? X86.GDTR : X86.IDTR);
                int limit = uc.tableLimit();
                int a = op.address(6, true);
                mem.probeWrite(a, 6, false);
                mem.write16(a, limit, false);
                mem.write32(a + 2, (int) base, false);
            }
            case LGDT, LIDT -> {
                privileged(cpl);
                if (!op.isMemory()) throw fault.raise(Vectors.UD, 0);
                int a = op.address(6, false);
                int limit = mem.read16(a, false);
                int base = mem.read32(a + 2, false);
                if (!op.opsize32) base &= 0xFFFFFF;
                uc.setTable(cls == SensitiveClass.LGDT ? X86.GDTR : X86.IDTR, base & 0xFFFFFFFFL, limit, 0, 0);
            }
            case SLDT, STR -> {
                uc.readTable(cls == SensitiveClass.SLDT ? X86.LDTR : X86.TR);
                storeWord(uc.tableSelector());
            }
            case SMSW -> storeWord(uc.reg(X86.CR0));
            case LAR, LSL, VERR, VERW -> seg.inspect();
            case IO -> io(cpl);
            case LLDT -> {
                privileged(cpl);
                seg.lldt();
            }
            case LTR -> {
                privileged(cpl);
                seg.ltr();
            }
            case LMSW -> {
                privileged(cpl);
                int cr0 = uc.reg(X86.CR0);
                writeCr0((cr0 & ~0xE) | (op.rm16(false) & 0xF));   // can set PE, never clear it
            }
            case CLTS -> {
                privileged(cpl);
                writeCr0(uc.reg(X86.CR0) & ~X86.CR0_TS);
            }
            case MOV_CR_READ -> {
                privileged(cpl);
                op.setReg32(op.rm, readCr(op.reg));
            }
            case MOV_CR_WRITE -> {
                privileged(cpl);
                writeCr(op.reg, op.reg32(op.rm));
            }
            case MOV_DR -> {
                privileged(cpl);
                int n = op.reg;
                if (n == 4 || n == 5) {
                    if ((uc.reg(X86.CR4) & X86.CR4_DE) != 0) throw fault.raise(Vectors.UD, 0);
                    n += 2;
                }
                // The engine's own debug registers, never armed (Unicorn's register write only stores them): DR6
                // then shows the single steps the engine took (BS), as emulate mode's does.
                if (op.opcode == 0x0F21) op.setReg32(op.rm, uc.reg(X86.DR0 + n));
                else {
                    int v = op.reg32(op.rm);
                    uc.setReg(X86.DR0 + n, n == 6 ? v | 0xFFFF0FF0 : n == 7 ? v | 0x400 : v);   // the bits that read as 1
                }
            }
            case INVLPG -> {
                privileged(cpl);
                if (!op.isMemory()) throw fault.raise(Vectors.UD, 0);
                uc.flushTlb();   // Unicorn can flush only the whole TLB; the guest cannot tell
            }
            case INVD, WBINVD -> privileged(cpl);   // no caches to write back or drop
            case RDMSR -> {
                privileged(cpl);
                int index = uc.reg(X86.ECX);
                long v = index == MSR_TSC ? tsc.read() : uc.msr(index);
                uc.setReg(X86.EAX, (int) v);
                uc.setReg(X86.EDX, (int) (v >>> 32));
            }
            case WRMSR -> {
                privileged(cpl);
                int index = uc.reg(X86.ECX);
                long v = (uc.reg(X86.EAX) & 0xFFFFFFFFL) | ((long) uc.reg(X86.EDX) << 32);
                if (index == MSR_TSC) tsc.write(v);
                else if (index == X86.MSR_EFER) writeEfer(v);
                else uc.setMsr(index, v);
            }
            case RDTSC -> {
                // rdtscp: the virtual CPU (Unicorn's qemu64 model) has no RDTSCP (CPUID 80000001h EDX bit 27 clear),
                // so it is #UD, as emulate mode's CPU raises.
                if (op.opcode == 0x0F01) throw fault.raise(Vectors.UD, 0);
                if (cpl > 0 && (uc.reg(X86.CR4) & X86.CR4_TSD) != 0) throw fault.raise(Vectors.GP, 0);
                long t = tsc.read();
                uc.setReg(X86.EAX, (int) t);
                uc.setReg(X86.EDX, (int) (t >>> 32));
            }
            case RDPMC -> {
                if (cpl > 0 && (uc.reg(X86.CR4) & X86.CR4_PCE) == 0) throw fault.raise(Vectors.GP, 0);
                throw fault.raise(Vectors.UD, 0);   // the virtual CPU has no performance counters (nor has QEMU's)
            }
            case SYSENTER -> {
                seg.sysenter();
                return result;
            }
            case SYSEXIT -> {
                seg.sysexit();
                return result;
            }
            case SYSCALL, SYSRET -> throw fault.raise(Vectors.UD, 0);   // legacy-mode syscall: #UD on Intel CPUs
            case SEG_PUSH -> op.push(uc.selector(X86.segmentRegister(pushedSegment())), false);
            case SEG_POP -> {
                int s = poppedSegment();
                int selector = op.peek(0, false);
                // The pop belongs to the stack it read from: pop ss moves ESP by the old stack's size, not the one it
                // loads (a 32-bit ESP of 0x2fffc becomes 0x30000 even when the new SS is a 16-bit segment), as QEMU
                // and Bochs do; ESP changes only once the load has not faulted.
                boolean stack32 = op.stack32();
                seg.load(s, selector);
                op.moveStack(op.opsize32 ? 4 : 2, stack32);
                if (s == X86.SEG_SS) result = TrapResult.SHADOW;
            }
            case SEG_MOV_WRITE -> {
                if (op.reg == X86.SEG_CS || op.reg > X86.SEG_GS) throw fault.raise(Vectors.UD, 0);
                seg.load(op.reg, op.rm16(false));
                if (op.reg == X86.SEG_SS) result = TrapResult.SHADOW;
            }
            case SEG_MOV_READ -> {
                if (op.reg > X86.SEG_GS) throw fault.raise(Vectors.UD, 0);
                int selector = uc.selector(X86.segmentRegister(op.reg));
                if (op.isMemory()) mem.write16(op.address(2, true), selector, false);
                else op.setRegSized(op.rm, selector);
            }
            case SEG_LOAD_FAR -> {
                seg.readFarPointer();
                seg.load(farLoadSegment(), seg.farSelector());
                op.setRegSized(op.reg, seg.farOffset());
            }
            case FAR_JMP -> {
                seg.farJump();
                return result;
            }
            case FAR_CALL -> {
                seg.farCall();
                return result;
            }
            case FAR_RET -> {
                seg.farReturn();
                return result;
            }
            case OTHER_PRIVILEGED -> {
                privileged(cpl);
                throw fault.raise(Vectors.UD, 0);   // not part of the virtual CPU
            }
            case IDIV -> idiv(cpl == 3);
            default -> throw new IllegalStateException(cls + " is not rewritten");
        }
        // The paging controls GuestAccess works with change only here in full mode (every write to CR0, CR3, CR4 or
        // EFER, and every invlpg, in kernel code traps; user code can make none), so it re-reads them (and drops its
        // cached translations) only then.
        if (cls == SensitiveClass.MOV_CR_WRITE || cls == SensitiveClass.LMSW || cls == SensitiveClass.CLTS
                || cls == SensitiveClass.WRMSR || cls == SensitiveClass.INVLPG) {
            mem.refresh();
        }
        if (next != eipNow) uc.setReg(X86.EIP, next);   // (the rewritten form traps with EIP already there)
        return result;
    }

    private static final int MSR_TSC = 0x10;

    /**
     * idiv r/m16 or r/m32, as the CPU does it: #DE for a zero divisor or a quotient too large for its register, the
     * flags untouched (they are undefined, and Unicorn leaves them too). Emulated, never run: Unicorn's helper would
     * divide INT64_MIN by -1 with the host's idiv and kill the process.
     */
    private void idiv(boolean user) {
        boolean wide = op.opsize32;
        int divisor = op.isMemory() ? (wide ? mem.read32(op.address(4, false), user) : (short) mem.read16(op.address(2, false), user))
                : wide ? op.reg32(op.rm) : (short) op.reg32(op.rm);
        if (divisor == 0) throw fault.raise(Vectors.DE, 0);
        int eax = uc.reg(X86.EAX), edx = uc.reg(X86.EDX);
        if (wide) {
            long dividend = (long) edx << 32 | (eax & 0xFFFFFFFFL);
            if (dividend == Long.MIN_VALUE && divisor == -1) throw fault.raise(Vectors.DE, 0);
            long quotient = dividend / divisor;
            if (quotient != (int) quotient) throw fault.raise(Vectors.DE, 0);
            uc.setReg(X86.EAX, (int) quotient);
            uc.setReg(X86.EDX, (int) (dividend % divisor));
        } else {
            int dividend = edx << 16 | (eax & 0xFFFF);
            long quotient = (long) dividend / divisor;
            if (quotient != (short) quotient) throw fault.raise(Vectors.DE, 0);
            uc.setReg(X86.EAX, (eax & 0xFFFF0000) | ((int) quotient & 0xFFFF));
            uc.setReg(X86.EDX, (edx & 0xFFFF0000) | ((int) ((long) dividend % divisor) & 0xFFFF));
        }
    }

    // ---------------------------------------------------------------- port I/O (rewritten in user code only)

    /**
     * in, out, ins, outs (with rep): the permission check Unicorn leaves out (CPL &gt; IOPL needs every port's bit
     * clear in the TSS I/O bitmap, else #GP(0)), then the access. A rep string is restartable: a fault part way leaves
     * ECX, ESI and EDI saying how far it got, and EIP on the instruction. Each access goes through
     * {@link DeviceAccess}, which re-arms a timer the write reprogrammed and stops the run for an interrupt it raised.
     */
    private void io(int cpl) {
        int opc = op.opcode;
        int size = (opc & 1) == 0 ? 1 : op.opsize32 ? 4 : 2;
        boolean string = op.stringIo();
        boolean in = string ? opc <= 0x6D : (opc & 2) == 0;
        int port = opc >= 0xE4 && opc <= 0xE7 ? op.imm8() : uc.reg(X86.EDX) & 0xFFFF;
        int flags = uc.reg(X86.EFLAGS);
        if (cpl > ((flags & X86.FLAG_IOPL) >>> 12) && !(in && !string && ports.openToAnyPrivilege(port, size))) checkIoBitmap(port, size);
        int mask = size == 4 ? -1 : (1 << (8 * size)) - 1;
        if (!string) {
            int eax = uc.reg(X86.EAX);
            if (in) {
                uc.setReg(X86.EAX, (eax & ~mask) | (ports.read(port, size) & mask));
            } else {
                ports.write(port, size, eax & mask);
            }
            return;
        }
        boolean user = cpl == 3;
        int addrMask = op.addrsize32 ? -1 : 0xFFFF;
        int indexReg = in ? X86.EDI : X86.ESI;
        int index = uc.reg(indexReg);
        int ecx = uc.reg(X86.ECX);
        int count = op.rep ? ecx & addrMask : 1;
        int step = (flags & DF) != 0 ? -size : size;
        int segment = in ? X86.SEG_ES : op.segOverride >= 0 ? op.segOverride : X86.SEG_DS;
        int base = (int) segments.base(segment);
        try {
            for (; count != 0; count--) {
                op.checkSegment(segment, index & addrMask, size, in);
                int at = base + (index & addrMask);
                if (in) {
                    if (size == 1) mem.write8(at, ports.read(port, 1), user);
                    else if (size == 2) mem.write16(at, ports.read(port, 2), user);
                    else mem.write32(at, ports.read(port, 4), user);
                } else {
                    int v = size == 1 ? mem.read8(at, user) : size == 2 ? mem.read16(at, user) : mem.read32(at, user);
                    ports.write(port, size, v);
                }
                index = (index & ~addrMask) | ((index + step) & addrMask);
            }
        } finally {
            uc.setReg(indexReg, index);
            if (op.rep) uc.setReg(X86.ECX, (ecx & ~addrMask) | (count & addrMask));
        }
    }

    private static final int DF = 1 << 10;

    /**
     * SDM vol. 1, 19.5.2: ports [port, port + size) must all have their bit clear in the TSS's I/O bitmap. The CPU reads
     * the map two bytes at a time (a port's bits may straddle two bytes), and both must lie within the TSS's limit,
     * which is why a map is followed by an all-ones byte: the last byte within the limit is not enough.
     */
    private void checkIoBitmap(int port, int size) {
        long base = uc.readTable(X86.TR);
        int limit = uc.tableLimit();
        if ((uc.tableSelector() & ~3) == 0 || limit < 0x67) throw fault.raise(Vectors.GP, 0);
        int offset = mem.read16((int) base + 0x66, false) + (port >>> 3);
        if (offset + 1 > limit) throw fault.raise(Vectors.GP, 0);
        int bits = mem.read16((int) base + offset, false) >>> (port & 7);
        if ((bits & ((1 << size) - 1)) != 0) throw fault.raise(Vectors.GP, 0);
    }

    private void privileged(int cpl) {
        if (cpl != 0) throw fault.raise(Vectors.GP, 0);
    }

    /** smsw, sldt, str: a register gets the operand-size value (zero-extended), memory a word. */
    private void storeWord(int value) {
        if (op.isMemory()) mem.write16(op.address(2, true), value, false);
        else op.setRegSized(op.rm, op.opsize32 ? value : value & 0xFFFF);
    }

    private int readCr(int n) {
        return switch (n) {
            case 0 -> uc.reg(X86.CR0);
            case 2 -> uc.reg(X86.CR2);
            case 3 -> uc.reg(X86.CR3);
            case 4 -> uc.reg(X86.CR4);
            default -> throw fault.raise(Vectors.UD, 0);
        };
    }

    /** CR4 bits the virtual CPU has: VME, PVI, TSD, DE, PSE, PAE, MCE, PGE, PCE, OSFXSR, OSXMMEXCPT. */
    private static final int CR4_KNOWN = 0x7FF;

    private void writeCr(int n, int v) {
        switch (n) {
            case 0 -> writeCr0(v);
            case 2 -> uc.setReg(X86.CR2, v);
            case 3 -> {
                if (paePaging(uc.reg(X86.CR0), uc.reg(X86.CR4))) checkPdptes(v);
                uc.setReg(X86.CR3, v);   // flushes the TLB: the shadow MMU then walks the new tables
            }
            case 4 -> {
                if ((v & ~CR4_KNOWN) != 0) throw fault.raise(Vectors.GP, 0);
                int old = uc.reg(X86.CR4);
                if (paePaging(uc.reg(X86.CR0), v) && ((old ^ v) & (X86.CR4_PAE | X86.CR4_PSE | X86.CR4_PGE)) != 0) {
                    checkPdptes(uc.reg(X86.CR3));
                }
                uc.setReg(X86.CR4, v);
                // A change of PAE, PSE or PGE drops every translation (SDM 4.10.4.1): the shadow MMU made them for the
                // old paging mode.
                if (((old ^ v) & (X86.CR4_PAE | X86.CR4_PSE | X86.CR4_PGE)) != 0) uc.flushTlb();
            }
            default -> throw fault.raise(Vectors.UD, 0);
        }
    }

    private void writeCr0(int v) {
        if ((v & X86.CR0_PG) != 0 && (v & X86.CR0_PE) == 0) throw fault.raise(Vectors.GP, 0);
        if ((v & X86.CR0_NW) != 0 && (v & X86.CR0_CD) == 0) throw fault.raise(Vectors.GP, 0);
        int old = uc.reg(X86.CR0);
        if (paePaging(v, uc.reg(X86.CR4)) && ((old ^ v) & (X86.CR0_PG | X86.CR0_CD | X86.CR0_NW)) != 0) {
            checkPdptes(uc.reg(X86.CR3));
        }
        uc.setReg(X86.CR0, v | X86.CR0_ET);
    }

    private static boolean paePaging(int cr0, int cr4) { return (cr0 & X86.CR0_PG) != 0 && (cr4 & X86.CR4_PAE) != 0; }

    /**
     * The CPU loads the four PAE page-directory-pointer entries when PAE paging starts or CR3 changes under it, and
     * refuses (#GP(0), the instruction has no effect) a present one with a reserved bit set. (QEMU's MMU reads them
     * at each walk and checks nothing here: emulate mode takes such a CR3 and faults at the first access instead.)
     */
    private void checkPdptes(int cr3) {
        if (!mem.pdptesValid(cr3)) throw fault.raise(Vectors.GP, 0);
    }

    /** EFER bits the virtual CPU has: SCE (0) and NXE (11). It has no long mode (see CpuModel): LME is reserved. */
    private static final long EFER_KNOWN = 1L | 1L << 11;

    private void writeEfer(long v) {
        if ((v & ~EFER_KNOWN) != 0) throw fault.raise(Vectors.GP, 0);
        uc.setMsr(X86.MSR_EFER, v);   // a change of NXE flushes the TLB (QEMU's cpu_load_efer)
    }

    /** push es (06), cs (0E), ss (16), ds (1E), fs (0F A0), gs (0F A8). */
    private int pushedSegment() {
        return switch (op.opcode) {
            case 0x06 -> X86.SEG_ES;
            case 0x0E -> X86.SEG_CS;
            case 0x16 -> X86.SEG_SS;
            case 0x1E -> X86.SEG_DS;
            case 0x0FA0 -> X86.SEG_FS;
            default -> X86.SEG_GS;
        };
    }

    /** pop es (07), ss (17), ds (1F), fs (0F A1), gs (0F A9). */
    private int poppedSegment() {
        return switch (op.opcode) {
            case 0x07 -> X86.SEG_ES;
            case 0x17 -> X86.SEG_SS;
            case 0x1F -> X86.SEG_DS;
            case 0x0FA1 -> X86.SEG_FS;
            default -> X86.SEG_GS;
        };
    }

    /** les (C4), lds (C5), lss (0F B2), lfs (0F B4), lgs (0F B5). */
    private int farLoadSegment() {
        return switch (op.opcode) {
            case 0xC4 -> X86.SEG_ES;
            case 0xC5 -> X86.SEG_DS;
            case 0x0FB2 -> X86.SEG_SS;
            case 0x0FB4 -> X86.SEG_FS;
            default -> X86.SEG_GS;
        };
    }
}
