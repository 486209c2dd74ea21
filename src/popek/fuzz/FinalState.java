package popek.fuzz;

import popek.cpu.StopReason;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.platform.Machine;

/**
 * The architectural state a case ended in, read from the engine and RAM after the run: why it stopped, the general
 * registers, EIP and EFLAGS, the ten segment caches QEMU keeps (selector, base, limit and attributes of ES..GS,
 * LDTR, TR, GDTR, IDTR), the control registers and the MSRs a case can change, and a copy of all of RAM (in which
 * the handlers' event log lies).
 */
record FinalState(StopReason stop, int[] gprs, int eip, int eflags, long[] segments, int hflags, int[] controls,
                  long[] msrs, RamSnapshot ram) {
    static final String[] GPR_NAMES = {"EAX", "ECX", "EDX", "EBX", "ESP", "EBP", "ESI", "EDI"};
    static final String[] SEGMENT_NAMES = {"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR", "GDTR", "IDTR"};
    static final String[] CONTROL_NAMES = {"CR0", "CR2", "CR3", "CR4"};
    static final int[] MSR_INDEX = {X86.MSR_EFER, X86.MSR_SYSENTER_CS, X86.MSR_SYSENTER_ESP, X86.MSR_SYSENTER_EIP};
    static final String[] MSR_NAMES = {"EFER", "SYSENTER_CS", "SYSENTER_ESP", "SYSENTER_EIP"};

    static FinalState capture(Machine m, StopReason stop) { return capture(m.engine(), m.ram(), stop); }

    static FinalState capture(Unicorn uc, popek.memory.GuestMemory memory, StopReason stop) {
        int[] regs = {X86.EAX, X86.ECX, X86.EDX, X86.EBX, X86.ESP, X86.EBP, X86.ESI, X86.EDI};
        int[] gprs = new int[8];
        for (int i = 0; i < 8; i++) gprs[i] = uc.reg(regs[i]);
        long[] segments = new long[40];
        int hflags = uc.context().segmentCaches(segments);
        int[] controls = {uc.reg(X86.CR0), uc.reg(X86.CR2), uc.reg(X86.CR3), uc.reg(X86.CR4)};
        long[] msrs = new long[MSR_INDEX.length];
        for (int i = 0; i < msrs.length; i++) msrs[i] = uc.msr(MSR_INDEX[i]);
        RamSnapshot ram = RamSnapshot.of(memory.segment());
        return new FinalState(stop, gprs, uc.reg(X86.EIP), uc.reg(X86.EFLAGS), segments, hflags, controls, msrs, ram);
    }

    int ram32(int at) { return ram.read32(at); }

    /** How many events the handlers logged (capped at the log's size). */
    int events() { return Math.min(Math.max(ram32(Layout.LOG_COUNT), 0), Layout.LOG_MAX); }

    /** Event {@code i}: vector | CS << 16, error code, EIP, CR2 (page faults) or EFLAGS. */
    int[] event(int i) {
        int at = Layout.LOG_ENTRIES + i * Layout.LOG_ENTRY;
        return new int[] {ram32(at), ram32(at + 4), ram32(at + 8), ram32(at + 12)};
    }

    boolean aborted() { return ram32(Layout.LOG_ABORTED) != 0; }

    /** The CPL QEMU keeps in hflags. */
    int cpl() { return hflags & 3; }
}
