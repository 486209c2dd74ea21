package popek.engine;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * A saved {@code uc_context} of Unicorn 2.1.1 (5,552 bytes: a 20-byte header, then QEMU's CPUX86State), for the CPU
 * state Unicorn has no API for. Offsets were measured here (shared/unicorn-experiments/REPORT_211.md, Q3, and by
 * reading back EIP at 148, EFLAGS at 156, hflags at 196, CR0 at 444); the engine asserts the size at start-up and
 * {@link #checkCr0} guards the writes.
 */
final class SavedContext {
    static final long SIZE_211 = 5552;
    private static final long ERROR_CODE = 5372, EXCEPTION_IS_INT = 5376, OLD_EXCEPTION = 5484;
    /** CPUX86State.hflags: bits 0-1 the CPL, bit 3 HF_INHIBIT_IRQ (the sti / mov ss shadow), bit 7 HF_PE. */
    private static final long HFLAGS = 196, EFLAGS = 156;
    /** CPUX86State.cr[0] (after regs, eip, eflags, the lazy-flags state and ten SegmentCaches); cr[2] is 16 bytes on. */
    private static final long CR0 = 444, CR2 = CR0 + 16;
    static final int HF_CPL = 3, HF_INHIBIT_IRQ = 1 << 3, HF_CS32 = 1 << 4, HF_SS32 = 1 << 5, HF_ADDSEG = 1 << 6,
            HF_PE = 1 << 7;

    private final MemorySegment data;

    SavedContext(MemorySegment context) { this.data = context.reinterpret(SIZE_211); }

    MemorySegment segment() { return data; }

    /** The pending exception's error code (CPUX86State.error_code). */
    int errorCode() { return data.get(JAVA_INT, ERROR_CODE); }

    /** True when the pending exception came from int n, int3 or into. */
    boolean softwareInterrupt() { return data.get(JAVA_INT, EXCEPTION_IS_INT) != 0; }

    /**
     * Resets QEMU's old_exception to -1 and returns whether it changed. It must be -1 after Popek delivers an exception
     * itself, or QEMU escalates the next fault to #DF and then to a silent triple fault (REPORT_211.md, Q3).
     */
    boolean clearOldException() {
        if (data.get(JAVA_INT, OLD_EXCEPTION) == -1) return false;
        data.set(JAVA_INT, OLD_EXCEPTION, -1);
        return true;
    }

    /** CPUX86State.segs[i].base: SegmentCache {u32 selector; u64 base; u32 limit; u32 flags} from byte 204. */
    long segmentBase(int i) { return data.get(JAVA_LONG_UNALIGNED, SEGS + 24L * i + 8) & 0xFFFFFFFFL; }

    /** CPUX86State.segs[i]: the selector, the limit (in bytes, already scaled by G) and QEMU's descriptor flags. */
    int segmentSelector(int i) { return data.get(JAVA_INT, SEGS + 24L * i) & 0xFFFF; }

    int segmentLimit(int i) { return data.get(JAVA_INT, SEGS + 24L * i + 16); }

    int segmentFlags(int i) { return data.get(JAVA_INT, SEGS + 24L * i + 20); }

    private static final long SEGS = 204;
    /** segs[6], then ldt, tr, gdt, idt: the ten SegmentCaches before cr[0]. */
    static final int SEGMENT_CACHES = 10;

    /** SegmentCache {@code i} (0-9) as selector, base, limit, flags into {@code into[at, at + 4)}. */
    void segmentCache(int i, long[] into, int at) {
        long c = SEGS + 24L * i;
        into[at] = data.get(JAVA_INT, c) & 0xFFFFL;
        into[at + 1] = data.get(JAVA_LONG_UNALIGNED, c + 8) & 0xFFFFFFFFL;
        into[at + 2] = data.get(JAVA_INT, c + 16) & 0xFFFFFFFFL;
        into[at + 3] = data.get(JAVA_INT, c + 20) & 0xFFFFFFFFL;
    }

    int hflags() { return data.get(JAVA_INT, HFLAGS); }

    /** CPUX86State.eflags (the non-arithmetic flags are kept there, VM among them). */
    int eflags() { return data.get(JAVA_INT, EFLAGS); }

    void setEflags(int eflags) { data.set(JAVA_INT, EFLAGS, eflags); }

    int cr0() { return (int) data.get(JAVA_LONG_UNALIGNED, CR0); }

    /** Writes SegmentCache {@code i} (0-5: ES..GS). */
    void setSegmentCache(int i, int selector, long base, int limit, int flags) {
        long c = SEGS + 24L * i;
        data.set(JAVA_INT, c, selector & 0xFFFF);
        data.set(JAVA_LONG_UNALIGNED, c + 8, base & 0xFFFFFFFFL);
        data.set(JAVA_INT, c + 16, limit);
        data.set(JAVA_INT, c + 20, flags);
    }

    void setHflags(int hflags) { data.set(JAVA_INT, HFLAGS, hflags); }

    /** Throws unless CR0 in the context equals the live one, a check that the layout is the one these offsets assume. */
    void checkCr0(int liveCr0) {
        if ((int) data.get(JAVA_LONG_UNALIGNED, CR0) != liveCr0) {
            throw new NativeLibraryException("this libunicorn's saved context does not hold CR0 at byte " + CR0
                    + "; Popek cannot set CR2 safely (use Debian 13's libunicorn2t64 2.1.1)");
        }
    }

    void setCr2(int value) { data.set(JAVA_LONG_UNALIGNED, CR2, value & 0xFFFFFFFFL); }
}
