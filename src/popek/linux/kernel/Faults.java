package popek.linux.kernel;

import popek.linux.abi.Signals;
import popek.linux.mm.MemoryManager;
import popek.linux.platform.Cpu;

/**
 * Turns the CPU's exceptions into what Linux makes of them: a page fault served (demand paging, copy-on-write, stack
 * growth) or a SIGSEGV/SIGBUS with the faulting address; a divide error SIGFPE; an invalid opcode SIGILL; a
 * breakpoint SIGTRAP; a general protection fault (a privileged instruction, an {@code int n} the program may not use)
 * SIGSEGV. The signals are forced: a program cannot block or ignore the fault it caused.
 */
final class Faults {
    /** POPEK_STRACE=1: unresolved faults are described on the kernel's log. */
    private static final boolean DEBUG = System.getenv("POPEK_STRACE") != null;
    private final Kernel kernel;
    private final SigInfo info = new SigInfo();

    Faults(Kernel kernel) { this.kernel = kernel; }

    /** Serves a page fault; true when the instruction can run again, false when a signal was queued instead. */
    boolean resolve(Task t, int address, int errorCode) {
        long addr = address & 0xFFFFFFFFL;
        MemoryManager.Fault f = t.mm.fault(addr, (errorCode & MemoryManager.PF_WRITE) != 0, true);
        if (f == MemoryManager.Fault.RESOLVED) return true;
        if (DEBUG) kernel.log(String.format("[%d] fault at %08x (error %x): %s; area %s", t.tid, address, errorCode, f, t.mm.find(addr)));
        info.clear();
        info.addr = address;
        switch (f) {
            case MAPERR -> { info.signo = Signals.SIGSEGV; info.code = Signals.SEGV_MAPERR; }
            case ACCERR -> { info.signo = Signals.SIGSEGV; info.code = Signals.SEGV_ACCERR; }
            case SIGBUS -> { info.signo = Signals.SIGBUS; info.code = Signals.BUS_ADRERR; }
            default -> {   // out of memory: Linux's OOM killer would pick a victim; Popek kills the faulting process
                info.signo = Signals.SIGKILL;
                info.code = Signals.SI_KERNEL;
            }
        }
        kernel.signals().force(t, info);
        return false;
    }

    /**
     * The si_code of a floating-point fault, as Linux's math_error finds it: the exceptions flagged and not masked, from
     * the x87 status and control words for #MF (16) or from MXCSR for #XM (19); invalid operation first, then divide
     * by zero, overflow, underflow (or denormal), precision. 0 when none is: for #MF the status word's summary bits are
     * then cleared (the CPU emulated keeps them after an fldcw masked the exception, where a real one does not), so
     * the waiting instruction runs again without faulting.
     */
    private static int floatingPointCode(Cpu cpu, int vector) {
        if (vector == 19) return floatingPointCode(vector, 0, 0, cpu.mxcsr());
        int status = cpu.fpuStatus();
        int code = floatingPointCode(vector, status, cpu.fpuControl(), 0);
        if (code == 0) cpu.setFpuStatus(status & ~(FSW_ES | FSW_B));
        return code;
    }

    /** {@link #floatingPointCode(Cpu, int)} from the registers' values. */
    static int floatingPointCode(int vector, int fpuStatus, int fpuControl, int mxcsr) {
        int pending = vector == 16 ? fpuStatus & ~fpuControl & 0x3F : mxcsr & ~(mxcsr >>> 7) & 0x3F;
        if ((pending & 0x01) != 0) return Signals.FPE_FLTINV;
        if ((pending & 0x04) != 0) return Signals.FPE_FLTDIV;
        if ((pending & 0x08) != 0) return Signals.FPE_FLTOVF;
        if ((pending & 0x12) != 0) return Signals.FPE_FLTUND;
        if ((pending & 0x20) != 0) return Signals.FPE_FLTRES;
        return 0;
    }

    /** The x87 status word's exception summary and busy bits. */
    private static final int FSW_ES = 0x80, FSW_B = 0x8000;

    /** Queues the signal for exception {@code vector} ({@code software}: raised by int n / int3 / into). */
    void signalFor(Task t, Cpu cpu, int vector, int errorCode, boolean software) {
        info.clear();
        switch (vector) {
            case 0 -> { info.signo = Signals.SIGFPE; info.code = Signals.FPE_INTDIV; info.addr = cpu.regs().eip(); }
            case 1 -> { info.signo = Signals.SIGTRAP; info.code = Signals.TRAP_TRACE; }
            case 3 -> { info.signo = Signals.SIGTRAP; info.code = Signals.SI_KERNEL; }
            case 4 -> { info.signo = Signals.SIGSEGV; info.code = Signals.SI_KERNEL; }
            case 5 -> { info.signo = Signals.SIGSEGV; info.code = Signals.SI_KERNEL; }
            case 6 -> { info.signo = Signals.SIGILL; info.code = Signals.ILL_ILLOPN; info.addr = cpu.regs().eip(); }
            case 16, 19 -> {
                int code = floatingPointCode(cpu, vector);
                if (code == 0) return;   // nothing unmasked is pending: Linux lets the instruction run again
                info.signo = Signals.SIGFPE;
                info.code = code;
                info.addr = cpu.regs().eip();
            }
            case 17 -> { info.signo = Signals.SIGBUS; info.code = Signals.BUS_ADRALN; }
            case 12 -> { info.signo = Signals.SIGBUS; info.code = Signals.SI_KERNEL; }
            default -> {
                // #GP (13) and the rest, and an int n whose gate Linux makes kernel-only: Linux reports #GP with
                // EIP on the int instruction itself.
                if (software) cpu.regs().setEip(cpu.regs().eip() - 2);
                info.signo = Signals.SIGSEGV;
                info.code = Signals.SI_KERNEL;
            }
        }
        kernel.signals().force(t, info);
    }
}
