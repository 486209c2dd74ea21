package popek.linux.kernel;

import popek.engine.RegisterFile;
import popek.engine.X86;
import popek.linux.abi.SyscallNumbers;
import popek.linux.abi.Signals;
import popek.linux.mm.UserMemory;
import popek.linux.platform.Cpu;
import popek.linux.platform.FpuImage;
import popek.linux.platform.Gdt;

/**
 * i386 Linux signal frames on the user stack (arch/x86/include/asm/sigframe.h, the ia32 layouts), so libc's handlers
 * and {@code sigreturn} work as on Linux: {@code sigframe} for a handler without SA_SIGINFO and {@code rt_sigframe}
 * with it, each holding a {@code sigcontext} of the interrupted registers and a return trampoline (written for
 * debuggers' sake; a handler returns through {@link SignalTrampoline}'s page instead). Above the frame lies the FPU
 * state, {@code struct _fpstate_32}, which the sigcontext points to: the x87 state in FSAVE's layout, the status word
 * and magic 0 (FXSR data follows; no XSAVE), then the FXSAVE image, 64-byte aligned; sigreturn loads it back, the x87
 * registers from the FSAVE part and MXCSR and the XMM registers from the FXSAVE part, as Linux does.
 */
final class SignalFrames {
    private SignalFrames() { }

    /** sigcontext_32: gs, fs, es, ds (16-bit each in 32-bit slots), edi .. eax, trapno, err, eip, cs, eflags, esp_at_signal, ss, fpstate, oldmask, cr2. */
    static final int SC_SIZE = 88;
    private static final int SC_GS = 0, SC_FS = 4, SC_ES = 8, SC_DS = 12, SC_EDI = 16, SC_ESI = 20, SC_EBP = 24, SC_ESP = 28,
            SC_EBX = 32, SC_EDX = 36, SC_ECX = 40, SC_EAX = 44, SC_TRAPNO = 48, SC_ERR = 52, SC_EIP = 56, SC_CS = 60,
            SC_EFLAGS = 64, SC_ESP_AT_SIGNAL = 68, SC_SS = 72, SC_FPSTATE = 76, SC_OLDMASK = 80, SC_CR2 = 84;

    /** sigframe: pretcode, sig, sigcontext, an unused 624-byte fpstate, extramask, retcode[8]. */
    static final int FRAME_SIZE = 4 + 4 + SC_SIZE + 624 + 4 + 8, FRAME_SC = 8, FRAME_EXTRAMASK = 720, FRAME_RETCODE = 724;
    /** rt_sigframe: pretcode, sig, pinfo, puc, siginfo (128), ucontext (flags, link, stack_t, sigcontext, sigmask), retcode. */
    static final int RT_SIZE = 16 + 128 + 20 + SC_SIZE + 8 + 8, RT_INFO = 16, RT_UC = 144, RT_SC = RT_UC + 20, RT_MASK = RT_SC + SC_SIZE,
            RT_RETCODE = RT_MASK + 8;

    /** _fpstate_32: the FSAVE part (108 bytes), status, magic, then the FXSAVE image at 112; 624 bytes in all. */
    static final int FP_STATUS = FpuImage.LEGACY_SIZE, FP_MAGIC = FP_STATUS + 2, FP_FXSAVE = 112,
            FP_SIZE = FP_FXSAVE + FpuImage.SIZE, FXSR_MAGIC = 0;

    /** The user-changeable EFLAGS bits sigreturn takes from the frame (AC, OF, DF, TF, SF, ZF, AF, PF, CF, RF). */
    private static final int FIX_EFLAGS = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;

    /**
     * Builds the frame for {@code sig} with {@code act} on the task's stack (or its alternate stack) and points the
     * registers at the handler. {@code oldMask} is the mask the frame restores. Returns false when the stack cannot
     * hold it (the caller then kills the process with SIGSEGV, as Linux does).
     */
    static boolean setup(Task t, Cpu cpu, int sig, SigAction act, SigInfo info, long oldMask) {
        RegisterFile r = cpu.regs();
        UserMemory m = t.mem;
        int esp = r.get(RegisterFile.ESP);
        long sp = esp & 0xFFFFFFFFL;
        boolean onAlt = t.altStackFlags != Signals.SS_DISABLE && sp - (t.altStackSp & 0xFFFFFFFFL) < (t.altStackSize & 0xFFFFFFFFL);
        if ((act.flags & Signals.SA_ONSTACK) != 0 && t.altStackFlags != Signals.SS_DISABLE && !onAlt) {
            sp = (t.altStackSp & 0xFFFFFFFFL) + (t.altStackSize & 0xFFFFFFFFL);
        }
        boolean rt = (act.flags & Signals.SA_SIGINFO) != 0;
        long fpstate = ((sp - FpuImage.SIZE) & ~63L) - FP_FXSAVE;   // the FXSAVE image 64-byte aligned, as Linux places it
        sp = fpstate - (rt ? RT_SIZE : FRAME_SIZE);
        sp = ((sp + 4) & ~15L) - 4;   // the handler finds (esp + 4) 16-byte aligned, as the i386 ABI wants
        try {
            m.probe(sp, fpstate + FP_SIZE - sp, true);
            int eflags = r.eflags();
            long sc = sp + (rt ? RT_SC : FRAME_SC);
            writeContext(m, cpu, sc, esp, eflags, (int) oldMask, info);
            writeFpu(m, cpu, fpstate);
            m.writeInt(sc + SC_FPSTATE, (int) fpstate);
            if (rt) {
                m.writeInt(sp + 4, sig);
                m.writeInt(sp + 8, (int) (sp + RT_INFO));
                m.writeInt(sp + 12, (int) (sp + RT_UC));
                writeInfo(m, sp + RT_INFO, info);
                m.writeInt(sp + RT_UC, 0);         // uc_flags
                m.writeInt(sp + RT_UC + 4, 0);     // uc_link
                m.writeInt(sp + RT_UC + 8, t.altStackSp);
                m.writeInt(sp + RT_UC + 12, t.altStackFlags == Signals.SS_DISABLE ? Signals.SS_DISABLE : onAlt ? Signals.SS_ONSTACK : 0);
                m.writeInt(sp + RT_UC + 16, t.altStackSize);
                m.writeLong(sp + RT_MASK, oldMask);
                // movl $__NR_rt_sigreturn, %eax; int $0x80
                m.write(sp + RT_RETCODE, new byte[] {(byte) 0xB8, (byte) SyscallNumbers.RT_SIGRETURN, 0, 0, 0, (byte) 0xCD, (byte) 0x80, 0}, 0, 8);
                m.writeInt(sp, (act.flags & Signals.SA_RESTORER) != 0 ? act.restorer
                        : (int) (SignalTrampoline.ADDRESS + SignalTrampoline.RT_SIGRETURN));
            } else {
                m.writeInt(sp + 4, sig);
                m.writeInt(sp + FRAME_EXTRAMASK, (int) (oldMask >>> 32));
                // popl %eax; movl $__NR_sigreturn, %eax; int $0x80
                m.write(sp + FRAME_RETCODE, new byte[] {0x58, (byte) 0xB8, (byte) SyscallNumbers.SIGRETURN, 0, 0, 0, (byte) 0xCD, (byte) 0x80}, 0, 8);
                m.writeInt(sp, (act.flags & Signals.SA_RESTORER) != 0 ? act.restorer
                        : (int) (SignalTrampoline.ADDRESS + SignalTrampoline.SIGRETURN));
            }
        } catch (popek.linux.abi.SyscallException e) {
            return false;
        }
        r.set(RegisterFile.ESP, (int) sp);
        r.set(RegisterFile.EAX, sig);
        r.set(RegisterFile.EDX, rt ? (int) (sp + RT_INFO) : 0);
        r.set(RegisterFile.ECX, rt ? (int) (sp + RT_UC) : 0);
        r.setEflags(r.eflags() & ~(X86.FLAG_TF | 0x400 /* DF */));
        r.setEip(act.handler);
        return true;
    }

    private static void writeContext(UserMemory m, Cpu cpu, long sc, int esp, int eflags, int oldMask, SigInfo info) {
        RegisterFile r = cpu.regs();
        m.writeInt(sc + SC_GS, cpu.selector(X86.GS));
        m.writeInt(sc + SC_FS, cpu.selector(X86.FS));
        m.writeInt(sc + SC_ES, cpu.selector(X86.ES));
        m.writeInt(sc + SC_DS, cpu.selector(X86.DS));
        m.writeInt(sc + SC_EDI, r.get(RegisterFile.EDI));
        m.writeInt(sc + SC_ESI, r.get(RegisterFile.ESI));
        m.writeInt(sc + SC_EBP, r.get(RegisterFile.EBP));
        m.writeInt(sc + SC_ESP, esp);
        m.writeInt(sc + SC_EBX, r.get(RegisterFile.EBX));
        m.writeInt(sc + SC_EDX, r.get(RegisterFile.EDX));
        m.writeInt(sc + SC_ECX, r.get(RegisterFile.ECX));
        m.writeInt(sc + SC_EAX, r.get(RegisterFile.EAX));
        boolean fault = info.signo == Signals.SIGSEGV || info.signo == Signals.SIGBUS;
        m.writeInt(sc + SC_TRAPNO, fault && info.code > 0 ? 14 : 0);
        m.writeInt(sc + SC_ERR, 0);
        m.writeInt(sc + SC_EIP, r.eip());
        m.writeInt(sc + SC_CS, Gdt.USER_CS);
        m.writeInt(sc + SC_EFLAGS, eflags);
        m.writeInt(sc + SC_ESP_AT_SIGNAL, esp);
        m.writeInt(sc + SC_SS, Gdt.USER_DS);
        m.writeInt(sc + SC_OLDMASK, oldMask);
        m.writeInt(sc + SC_CR2, fault ? info.addr : 0);
    }

    /** Writes the task's FPU state at {@code at} as a {@code _fpstate_32}. */
    private static void writeFpu(UserMemory m, Cpu cpu, long at) {
        FpuImage img = cpu.saveFpu();
        img.toLegacy();
        m.write(at, img.legacy, 0, FpuImage.LEGACY_SIZE);
        m.writeInt(at + FP_STATUS, img.getShort(FpuImage.FSW) | FXSR_MAGIC << 16);
        m.write(at + FP_FXSAVE, img.bytes, 0, FpuImage.SIZE);
    }

    /** Loads the FPU state of the {@code _fpstate_32} at {@code at}; none (a null pointer) is the initial state. */
    private static void readFpu(UserMemory m, Cpu cpu, long at) {
        FpuImage img = cpu.fpu();
        if (at == 0) {
            img.reset();
        } else {
            m.read(at + FP_FXSAVE, img.bytes, 0, FpuImage.SIZE);
            m.read(at, img.legacy, 0, FpuImage.LEGACY_SIZE);
            img.fromLegacy();
        }
        cpu.loadFpu();
    }

    /** compat_siginfo (128 bytes): signo, errno, code, then the union as the signal's kind lays it out. */
    static void writeInfo(UserMemory m, long at, SigInfo info) {
        m.zero(at, 128);
        m.writeInt(at, info.signo);
        m.writeInt(at + 4, info.errno);
        m.writeInt(at + 8, info.code);
        switch (info.signo) {
            case Signals.SIGSEGV, Signals.SIGBUS, Signals.SIGILL, Signals.SIGFPE, Signals.SIGTRAP -> {
                if (info.code > 0) {
                    m.writeInt(at + 12, info.addr);
                    return;
                }
            }
            case Signals.SIGCHLD -> {
                m.writeInt(at + 12, info.pid);
                m.writeInt(at + 16, info.uid);
                m.writeInt(at + 20, info.status);
                m.writeInt(at + 24, info.utime);
                m.writeInt(at + 28, info.stime);
                return;
            }
            default -> { }
        }
        m.writeInt(at + 12, info.pid);
        m.writeInt(at + 16, info.uid);
        m.writeInt(at + 20, info.value);
    }

    /**
     * sigreturn / rt_sigreturn: puts back the registers and mask saved in the frame the handler returns through
     * ({@code rt}: an rt_sigframe). Returns false when the frame is unreadable or its segments are bad (SIGSEGV).
     */
    static boolean restore(Task t, Cpu cpu, boolean rt) {
        RegisterFile r = cpu.regs();
        UserMemory m = t.mem;
        long esp = r.get(RegisterFile.ESP) & 0xFFFFFFFFL;
        try {
            long frame = rt ? esp - 4 : esp - 8;
            long sc = frame + (rt ? RT_SC : FRAME_SC);
            long mask = rt ? m.readLong(frame + RT_MASK)
                    : (m.readInt(sc + SC_OLDMASK) & 0xFFFFFFFFL) | ((long) m.readInt(frame + FRAME_EXTRAMASK) << 32);
            int[] v = new int[SC_SIZE / 4];
            for (int i = 0; i < v.length; i++) v[i] = m.readInt(sc + 4L * i);
            readFpu(m, cpu, v[SC_FPSTATE / 4] & 0xFFFFFFFFL);   // the FPU and SSE state of the interrupted code
            if (!cpu.loadSegment(X86.GS, v[SC_GS / 4] & 0xFFFF) || !cpu.loadSegment(X86.FS, v[SC_FS / 4] & 0xFFFF)
                    || !cpu.loadSegment(X86.ES, v[SC_ES / 4] & 0xFFFF) || !cpu.loadSegment(X86.DS, v[SC_DS / 4] & 0xFFFF)) {
                return false;
            }
            r.set(RegisterFile.EDI, v[SC_EDI / 4]);
            r.set(RegisterFile.ESI, v[SC_ESI / 4]);
            r.set(RegisterFile.EBP, v[SC_EBP / 4]);
            r.set(RegisterFile.ESP, v[SC_ESP / 4]);
            r.set(RegisterFile.EBX, v[SC_EBX / 4]);
            r.set(RegisterFile.EDX, v[SC_EDX / 4]);
            r.set(RegisterFile.ECX, v[SC_ECX / 4]);
            r.set(RegisterFile.EAX, v[SC_EAX / 4]);
            r.setEflags((r.eflags() & ~FIX_EFLAGS) | (v[SC_EFLAGS / 4] & FIX_EFLAGS));
            r.setEip(v[SC_EIP / 4]);
            t.setBlockedSignals(mask);
            if (rt) {
                int ssSp = m.readInt(frame + RT_UC + 8), ssFlags = m.readInt(frame + RT_UC + 12), ssSize = m.readInt(frame + RT_UC + 16);
                if (ssFlags == Signals.SS_DISABLE || ssSize >= Signals.MINSIGSTKSZ) {
                    boolean onAlt = t.altStackFlags != Signals.SS_DISABLE
                            && ((v[SC_ESP / 4] & 0xFFFFFFFFL) - (t.altStackSp & 0xFFFFFFFFL)) < (t.altStackSize & 0xFFFFFFFFL);
                    if (!onAlt) t.setAltStack(ssSp, ssSize, ssFlags == Signals.SS_DISABLE ? Signals.SS_DISABLE : 0);
                }
            }
            return true;
        } catch (popek.linux.abi.SyscallException e) {
            return false;
        }
    }
}
