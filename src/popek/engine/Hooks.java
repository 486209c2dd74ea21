package popek.engine;

/**
 * The callbacks the emulated CPU makes into the VMM. Each runs on the thread inside {@link Unicorn#start}; each is
 * the trap path, so implementations allocate nothing. An exception thrown by one never unwinds into native code:
 * the binding records it, stops the engine, and rethrows it from {@link Unicorn#start}.
 */
public final class Hooks {
    private Hooks() { }

    /** An instruction at a watched address is about to run (UC_HOOK_CODE); {@code address} is its linear address. */
    public interface Code {
        void code(long address);
    }

    /** {@code in} and {@code out} (UC_HOOK_INSN). EIP is not exact here: Unicorn reports the start of the block. */
    public interface PortIo {
        int in(int port, int size);

        void out(int port, int size, int value);
    }

    /** An exception or {@code int n} the CPU raised (UC_HOOK_INTR). EIP: at the faulting instruction, after {@code int n}. */
    @FunctionalInterface
    public interface Interrupt {
        void interrupt(int vector);
    }

    /** An opcode the CPU cannot decode (UC_HOOK_INSN_INVALID). Return true to raise #UD through {@link Interrupt}. */
    @FunctionalInterface
    public interface InvalidInstruction {
        boolean invalid();
    }

    /** An access to guest-physical memory that nothing backs (UC_HOOK_MEM_UNMAPPED). Return false to stop the run. */
    @FunctionalInterface
    public interface UnmappedAccess {
        boolean unmapped(int type, long address, int size, long value);
    }

    /**
     * A TLB miss under shadow paging (UC_HOOK_TLB_FILL). {@code vaddr} is the page-aligned linear address, {@code type}
     * one of {@link X86#MEM_READ}, {@link X86#MEM_WRITE}, {@link X86#MEM_FETCH}. Returns the physical page address ORed
     * with the permissions ({@link #READ}, {@link #WRITE}, {@link #EXEC}) to install, or -1 to refuse: the run then
     * stops with {@code UC_ERR_EXCEPTION}, EIP on the faulting instruction, and no guest exception raised.
     */
    @FunctionalInterface
    public interface TlbFill {
        int READ = 1, WRITE = 2, EXEC = 4;

        long fill(long vaddr, int type);
    }

    /**
     * {@code sysenter} (UC_HOOK_INSN). Unicorn 2.1.1 does not execute it: its helper only calls this hook and then
     * adds the instruction's length (2) to EIP, whatever the hook set it to.
     */
    @FunctionalInterface
    public interface Sysenter {
        void sysenter();
    }

    /**
     * {@code syscall} (UC_HOOK_INSN). Unicorn 2.1.1 does not execute it either: its helper calls this hook, adds the
     * instruction's length (2) to EIP, and raises nothing, where the CPU raises #UD (Intel CPUs outside 64-bit mode,
     * any CPU while EFER.SCE is clear).
     */
    @FunctionalInterface
    public interface Syscall {
        void syscall();
    }

    /**
     * {@code cpuid} (UC_HOOK_INSN): return true when the hook has set EAX-EDX itself, false to let the CPU model
     * answer. (Unicorn 2.1.1 cannot hook rdtsc; later releases can.)
     */
    @FunctionalInterface
    public interface Answer {
        boolean answer();
    }

    /**
     * A load or store to device memory mapped with {@link Unicorn#mapMmio} ({@code size} 1, 2, 4 or 8 bytes; the
     * offset is from the mapping's base). EIP is not exact here, as for port I/O.
     */
    public interface Mmio {
        long read(long offset, int size);

        void write(long offset, int size, long value);
    }
}
