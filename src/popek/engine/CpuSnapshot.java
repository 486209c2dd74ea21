package popek.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A whole CPU state saved from an engine ({@code uc_context_save}: QEMU's CPUX86State up to its {@code retaddr}, which
 * holds no pointer into the engine, so a snapshot saved from one engine may be restored into another of the same
 * library). A Linux task keeps its registers here while it is not running; fork copies one. General registers and EIP
 * can be read and changed in place (EFLAGS cannot: QEMU keeps the arithmetic flags lazily).
 */
public final class CpuSnapshot {
    /** uc_context: size_t context_size, three ints, then the data. */
    private static final long DATA = 20;

    private final MemorySegment context;

    CpuSnapshot(Arena arena) {
        this.context = arena.allocate(SavedContext.SIZE_211, 16);
        context.set(JAVA_LONG_UNALIGNED, 0, SavedContext.SIZE_211 - 24);   // what uc_context_alloc writes
        context.set(JAVA_INT, 8, X86.MODE_32);
        context.set(JAVA_INT, 12, 4 /* UC_ARCH_X86 */);
        context.set(JAVA_INT, 16, 0);
    }

    MemorySegment pointer() { return context; }

    /** A copy of {@code other} (what fork gives the child). */
    public void copyFrom(CpuSnapshot other) { context.copyFrom(other.context); }

    public int get(int number) { return context.get(JAVA_INT_U, DATA + 8L * number); }

    public void set(int number, int value) {
        context.set(JAVA_LONG_UNALIGNED, DATA + 8L * number, value & 0xFFFFFFFFL);
    }

    public int eip() { return context.get(JAVA_INT_U, DATA + RegisterFile.EIP_OFFSET); }

    public void setEip(int value) { context.set(JAVA_LONG_UNALIGNED, DATA + RegisterFile.EIP_OFFSET, value & 0xFFFFFFFFL); }

    private static final java.lang.foreign.ValueLayout.OfInt JAVA_INT_U = JAVA_INT.withByteAlignment(1);
}
