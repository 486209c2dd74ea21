package popek.engine;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * An engine's general registers and EIP, read and written with plain memory accesses to QEMU's live CPUX86State when
 * {@link EnvLocator} found it (no native call: the system-call path reads seven registers and writes one), or through
 * {@code uc_reg_read}/{@code uc_reg_write} otherwise. Valid inside hooks and between runs, where QEMU keeps every
 * register in that structure; never while the engine runs on another thread.
 *
 * <p>Registers are numbered as the CPU encodes them (and QEMU stores them): EAX 0, ECX 1, EDX 2, EBX 3, ESP 4, EBP 5,
 * ESI 6, EDI 7. EIP is written only through the API, which also makes Unicorn leave the current block.
 */
public final class RegisterFile {
    /** CPUX86State: target_ulong regs[16] (x86-64 target: 8 bytes each), then eip. */
    static final long EIP_OFFSET = 128;

    private final Unicorn uc;
    private final MemorySegment env;   // null: use the API

    RegisterFile(Unicorn uc, MemorySegment env) {
        this.uc = uc;
        this.env = env;
    }

    /** True when registers are reached as memory (the fast path); false when each access is a native call. */
    public boolean direct() { return env != null; }

    public int get(int number) {
        if (env != null) return env.get(JAVA_INT, 8L * number);
        return uc.reg(X86.generalRegister(number));
    }

    public void set(int number, int value) {
        if (env != null) {
            env.set(JAVA_INT, 8L * number, value);
            return;
        }
        uc.setReg(X86.generalRegister(number), value);
    }

    public int eip() {
        if (env != null) return env.get(JAVA_INT, EIP_OFFSET);
        return uc.reg(X86.EIP);
    }

    public void setEip(int value) { uc.setReg(X86.EIP, value); }

    /** EFLAGS, computed by QEMU from its lazy condition codes (always an API call). */
    public int eflags() { return uc.reg(X86.EFLAGS); }

    public void setEflags(int value) { uc.setReg(X86.EFLAGS, value); }

    public static final int EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
}
