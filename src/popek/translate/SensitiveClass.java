package popek.translate;

/**
 * The classes of sensitive instructions that full virtualisation rewrites into traps: each class is one kind of
 * emulation, with a short label for statistics and whether a deprivileged guest kernel would fault on it anyway.
 *
 * <p>Sources. Privileged instructions (those that raise #GP at CPL &gt; 0) and the IOPL-sensitive ones are from the
 * Intel SDM: vol. 2, each instruction's "Protected Mode Exceptions"; vol. 3A, §2.8 (system instructions) and §5.9
 * (privileged instructions); vol. 1, the I/O chapter (I/O privilege level). The sensitive-but-unprivileged ones are
 * Robin &amp; Irvine, "Analysis of the Intel Pentium's Ability to Support a Secure Virtual Machine Monitor" (USENIX
 * Security 2000): SGDT, SIDT, SLDT, SMSW, STR, PUSHF, POPF, LAR, LSL, VERR, VERW, PUSH/POP/MOV of segment registers,
 * far CALL/JMP/RET and INT n ({@link #robinIrvine()}). Added here, because they read or change state the VMM owns
 * just the same: IRET (at CPL &gt; 0 it silently keeps IF and IOPL, as POPF does), the far-pointer loads
 * LDS/LES/LFS/LGS/LSS (a segment-register load, like MOV to Sreg), SYSENTER and SYSCALL (they load CS and SS from
 * MSRs), CPUID, RDTSC/RDTSCP and RDPMC (they show the host CPU and clock); and one that is not sensitive at all but
 * would crash the host ({@link #IDIV}).
 *
 * <p>{@link #privilege()} is a fact about the x86, kept so statistics can tell Popek &amp; Goldberg's two kinds of
 * sensitive instruction apart; full virtualisation rewrites every class all the same, whatever ring the guest kernel
 * runs in.
 */
public enum SensitiveClass {
    CLI("cli", Privilege.IOPL_SENSITIVE, false),
    STI("sti", Privilege.IOPL_SENSITIVE, false),
    HLT("hlt", Privilege.PRIVILEGED, false),
    /** in, out, ins, outs: any width, any port form, with or without rep. */
    IO("in/out", Privilege.IOPL_SENSITIVE, false),
    LGDT("lgdt", Privilege.PRIVILEGED, false),
    LIDT("lidt", Privilege.PRIVILEGED, false),
    LLDT("lldt", Privilege.PRIVILEGED, false),
    LTR("ltr", Privilege.PRIVILEGED, false),
    /** mov crN, reg (0F 22). */
    MOV_CR_WRITE("mov to cr", Privilege.PRIVILEGED, false),
    /** mov reg, crN (0F 20). */
    MOV_CR_READ("mov from cr", Privilege.PRIVILEGED, false),
    /** mov to or from a debug register (0F 21, 0F 23). */
    MOV_DR("mov dr", Privilege.PRIVILEGED, false),
    LMSW("lmsw", Privilege.PRIVILEGED, false),
    CLTS("clts", Privilege.PRIVILEGED, false),
    INVLPG("invlpg", Privilege.PRIVILEGED, false),
    INVD("invd", Privilege.PRIVILEGED, false),
    WBINVD("wbinvd", Privilege.PRIVILEGED, false),
    RDMSR("rdmsr", Privilege.PRIVILEGED, false),
    WRMSR("wrmsr", Privilege.PRIVILEGED, false),
    /** iret (16-bit) and iretd. */
    IRET("iret", Privilege.UNPRIVILEGED, false),
    SYSENTER("sysenter", Privilege.UNPRIVILEGED, false),
    SYSEXIT("sysexit", Privilege.PRIVILEGED, false),
    /** AMD's fast system call; #UD on Intel CPUs outside 64-bit mode. */
    SYSCALL("syscall", Privilege.UNPRIVILEGED, false),
    SYSRET("sysret", Privilege.PRIVILEGED, false),
    /** pushf and pushfd. */
    PUSHF("pushf", Privilege.UNPRIVILEGED, true),
    /** popf and popfd: at CPL &gt; 0 a change of IF is silently ignored. */
    POPF("popf", Privilege.UNPRIVILEGED, true),
    SGDT("sgdt", Privilege.UNPRIVILEGED, true),
    SIDT("sidt", Privilege.UNPRIVILEGED, true),
    SLDT("sldt", Privilege.UNPRIVILEGED, true),
    SMSW("smsw", Privilege.UNPRIVILEGED, true),
    STR("str", Privilege.UNPRIVILEGED, true),
    LAR("lar", Privilege.UNPRIVILEGED, true),
    LSL("lsl", Privilege.UNPRIVILEGED, true),
    VERR("verr", Privilege.UNPRIVILEGED, true),
    VERW("verw", Privilege.UNPRIVILEGED, true),
    /** push cs/ss/ds/es/fs/gs. */
    SEG_PUSH("push sreg", Privilege.UNPRIVILEGED, true),
    /** pop ss/ds/es/fs/gs. */
    SEG_POP("pop sreg", Privilege.UNPRIVILEGED, true),
    /** mov sreg, r/m16 (8E). */
    SEG_MOV_WRITE("mov to sreg", Privilege.UNPRIVILEGED, true),
    /** mov r/m, sreg (8C). */
    SEG_MOV_READ("mov from sreg", Privilege.UNPRIVILEGED, true),
    /** lds, les, lfs, lgs, lss: load a far pointer, i.e. a segment register and a general one. */
    SEG_LOAD_FAR("lds/les/lfs/lgs/lss", Privilege.UNPRIVILEGED, false),
    /** call ptr16:16/32 (9A) and call m16:16/32 (FF /3). */
    FAR_CALL("far call", Privilege.UNPRIVILEGED, true),
    /** jmp ptr16:16/32 (EA) and jmp m16:16/32 (FF /5). */
    FAR_JMP("far jmp", Privilege.UNPRIVILEGED, true),
    /** retf and retf imm16. */
    FAR_RET("far ret", Privilege.UNPRIVILEGED, true),
    /** int n, int3, into, and int1 (icebp): each vectors through the guest's IDT. */
    INT_N("int n", Privilege.UNPRIVILEGED, true),
    CPUID("cpuid", Privilege.UNPRIVILEGED, false),
    /** rdtsc and rdtscp (privileged only if the guest sets CR4.TSD). */
    RDTSC("rdtsc", Privilege.UNPRIVILEGED, false),
    /** Privileged unless the guest sets CR4.PCE. */
    RDPMC("rdpmc", Privilege.PRIVILEGED, false),
    /**
     * The rarer system instructions no 32-bit guest kernel of Popek's needs, rewritten so that none ever runs
     * unchecked: xsetbv, monitor/mwait, invpcid, invlpga, wbnoinvd, clac/stac, swapgs, and the VMX and SVM families.
     */
    OTHER_PRIVILEGED("other privileged", Privilege.PRIVILEGED, false),
    /**
     * idiv with a 16- or 32-bit operand. Not sensitive, but a hazard to the host: Unicorn 2.1.1 divides with the host's
     * own idiv, which kills the whole process (SIGFPE) on the one overflow the host shares, INT64_MIN / -1 (INT32_MIN
     * / -1 for 16-bit operands), where the CPU raises #DE. Rewritten in kernel and user code alike, so no guest can
     * crash Popek this way in full mode.
     */
    IDIV("idiv", Privilege.UNPRIVILEGED, false);

    /** How the x86 treats an instruction run outside ring 0. */
    public enum Privilege {
        /** Raises #GP at CPL &gt; 0. */
        PRIVILEGED,
        /** Raises #GP when CPL &gt; IOPL (for I/O, unless the TSS I/O bitmap allows the port). */
        IOPL_SENSITIVE,
        /** Runs at any CPL, but reads or changes state the VMM must own: Popek &amp; Goldberg's problem case. */
        UNPRIVILEGED
    }

    private final String label;
    private final Privilege privilege;
    private final boolean robinIrvine;

    SensitiveClass(String label, Privilege privilege, boolean robinIrvine) {
        this.label = label;
        this.privilege = privilege;
        this.robinIrvine = robinIrvine;
    }

    /** A short name for statistics: "mov to cr", "in/out", "far jmp". */
    public String label() { return label; }

    public Privilege privilege() { return privilege; }

    /** True if a deprivileged guest kernel (with IOPL 0) would fault on it, so plain trap-and-emulate would work. */
    public boolean privileged() { return privilege != Privilege.UNPRIVILEGED; }

    /** True for the sensitive but unprivileged instructions: the ones that make the x86 not classically virtualisable. */
    public boolean sensitiveButUnprivileged() { return privilege == Privilege.UNPRIVILEGED; }

    /** True if Robin &amp; Irvine list it among their 17 sensitive unprivileged instructions. */
    public boolean robinIrvine() { return robinIrvine; }

    /** Does emulating it set CS:EIP somewhere else (a far jump, call or return, iret, sysexit)? */
    public boolean transfersControl() {
        return this == IRET || this == FAR_CALL || this == FAR_JMP || this == FAR_RET || this == SYSEXIT;
    }

    private static final SensitiveClass[] VALUES = values();

    /** The class with this {@link #ordinal()}, without the copy {@code values()} makes. */
    public static SensitiveClass ofOrdinal(int ordinal) { return VALUES[ordinal]; }
}
