package popek.engine;

/** Unicorn 2.1's x86 constants (unicorn/x86.h, unicorn/unicorn.h), as the binding and the vCPU need them. */
public final class X86 {
    private X86() { }

    // uc_x86_reg
    public static final int CS = 11, DS = 17, EAX = 19, EBP = 20, EBX = 21, ECX = 22, EDI = 23, EDX = 24, EFLAGS = 25,
            EIP = 26, ES = 28, ESI = 29, ESP = 30, FS = 32, GS = 33, SS = 49, CR0 = 50, CR2 = 52, CR3 = 53, CR4 = 54,
            IDTR = 242, GDTR = 243, LDTR = 244, TR = 245, MSR = 248, DR0 = 66;
    /** The x87 state (a debugger shows it): ST0-ST7 from the top of the stack (ST0 + i, 10 bytes each: the 64-bit significand, then sign and exponent), and the control words. */
    public static final int FPSW = 31, DR6 = 72, DR7 = 73, ST0 = 114, FPCW = 246, FPTAG = 247, FIP = 254, FCS = 255,
            FDP = 256, FDS = 257, FOP = 258, XMM0 = 122, MXCSR = 249;

    /** Segment register numbers as the CPU encodes them (the reg field of mov sreg), also QEMU's order. */
    public static final int SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5;
    /** uc_x86_reg of each segment register, by its number. */
    private static final int[] SEGMENT_REG = {ES, CS, SS, DS, FS, GS};

    public static int segmentRegister(int number) { return SEGMENT_REG[number]; }

    /** uc_x86_reg of the 32-bit general register with the encoding number (EAX 0 ... EDI 7). */
    private static final int[] GENERAL_REG = {EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI};

    public static int generalRegister(int number) { return GENERAL_REG[number]; }

    /** MSR indices. */
    public static final int MSR_EFER = 0xC0000080;

    // uc_x86_insn, for UC_HOOK_INSN
    public static final int INS_IN = 218, INS_OUT = 500, INS_CPUID = 113, INS_SYSCALL = 699, INS_SYSENTER = 700;

    // uc_mode
    public static final int MODE_16 = 2, MODE_32 = 4;

    // uc_mem_type, as passed to memory hooks
    public static final int MEM_READ = 16, MEM_WRITE = 17, MEM_FETCH = 18, MEM_READ_UNMAPPED = 19,
            MEM_WRITE_UNMAPPED = 20, MEM_FETCH_UNMAPPED = 21;

    // uc_err
    public static final int ERR_OK = 0, ERR_READ_UNMAPPED = 6, ERR_WRITE_UNMAPPED = 7, ERR_FETCH_UNMAPPED = 8,
            ERR_INSN_INVALID = 10, ERR_EXCEPTION = 21;

    /** EFLAGS bits the VMM touches. */
    public static final int FLAG_CF = 1, FLAG_ZF = 1 << 6, FLAG_IOPL = 3 << 12, FLAG_AC = 1 << 18, FLAG_ID = 1 << 21;
    public static final int FLAG_TF = 1 << 8, FLAG_IF = 1 << 9, FLAG_NT = 1 << 14, FLAG_RF = 1 << 16, FLAG_VM = 1 << 17;
    public static final int CR0_PE = 1, CR0_WP = 1 << 16, CR0_PG = 1 << 31, CR4_PSE = 1 << 4, CR4_PAE = 1 << 5;
    public static final int CR0_TS = 8, CR0_ET = 16, CR0_CD = 1 << 30, CR0_NW = 1 << 29;
    public static final int CR4_TSD = 1 << 2, CR4_DE = 1 << 3, CR4_PCE = 1 << 8, CR4_PGE = 1 << 7;
    /** DR6.BS: the last #DB was a single step. */
    public static final int DR6_BS = 1 << 14;
    public static final int MSR_SYSENTER_CS = 0x174, MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176, MSR_TSC_AUX = 0xC0000103;
}
