package popek.engine;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static popek.engine.NativeCalls.rethrow;

/**
 * The CPU state of one engine that Unicorn 2.1.1 has no register API for, reached through a saved {@code uc_context}
 * ({@link SavedContext}: save, read or patch, restore): the current privilege level, the pending exception's error
 * code and kind, the interrupt shadow, the hidden segment bases, and CR2 (whose register write is broken). Each
 * operation is one context save (about 100 ns), plus a restore when it changes something.
 */
public final class CpuContext {
    private static final MethodHandle UC_CONTEXT_SAVE = Unicorn.fn("uc_context_save", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle UC_CONTEXT_RESTORE = Unicorn.fn("uc_context_restore", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

    /** hflags bits: the code segment is 32-bit; the stack segment is 32-bit; protected mode (CR0.PE). */
    public static final int HF_CS32 = 1 << 4, HF_SS32 = 1 << 5, HF_PE = SavedContext.HF_PE;

    private final MemorySegment uc;
    private final MemorySegment contextPtr;
    private final SavedContext context;
    private boolean lastSoftwareInterrupt;

    CpuContext(MemorySegment uc, MemorySegment contextPtr) {
        this.uc = uc;
        this.contextPtr = contextPtr;
        this.context = new SavedContext(contextPtr);
    }

    private void save() {
        int err;
        try {
            err = (int) UC_CONTEXT_SAVE.invokeExact(uc, contextPtr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (err != 0) throw new UnicornException("uc_context_save", err, Unicorn.strerror(err));
    }

    private void restore() {
        int err;
        try {
            err = (int) UC_CONTEXT_RESTORE.invokeExact(uc, contextPtr);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (err != 0) throw new UnicornException("uc_context_restore", err, Unicorn.strerror(err));
    }

    /** CR2, written into the context; the live CR0 is compared with the context's first, as a check of the layout. */
    void setCr2(int value, int liveCr0) {
        save();
        context.checkCr0(liveCr0);
        context.setCr2(value);
        restore();
    }

    /**
     * Sets the CPU's current privilege level, so that a more privileged SS and CS can then be loaded with
     * {@link Unicorn#setReg} (Unicorn refuses an SS whose DPL is not the CPL). QEMU keeps the CPL in hflags and has a TLB
     * per privilege level, so nothing needs flushing; the usual trick of clearing CR0.PE to load SS in real mode costs
     * two whole-TLB flushes (measured: ~9 us of a 34 us ring-3 int n delivery).
     */
    public void setCpl(int cpl) {
        save();
        int hflags = context.hflags();
        if ((hflags & SavedContext.HF_PE) == 0) throw new IllegalStateException("setCpl outside protected mode");
        context.setHflags((hflags & ~SavedContext.HF_CPL) | (cpl & SavedContext.HF_CPL));
        restore();
    }

    /**
     * Loads segment register {@code seg} ({@link X86#SEG_ES} ... GS) with exactly this hidden state, and the hflags
     * QEMU derives from it (CS32, SS32 and the CPL from SS, ADDSEG), as QEMU's cpu_x86_load_seg_cache does: for a
     * load Unicorn's register write refuses (an execute-only code segment, which it could not read from) or one
     * that takes no descriptor from memory (sysenter's flat segments). {@code flags} is the descriptor's high dword.
     */
    public void loadSegment(int seg, int selector, long base, int limit, int flags) {
        save();
        context.setSegmentCache(seg, selector, base, limit, flags);
        int hflags = context.hflags();
        boolean big = (flags & DESC_B) != 0;
        if (seg == X86.SEG_CS) hflags = big ? hflags | HF_CS32 : hflags & ~HF_CS32;
        if (seg == X86.SEG_SS) hflags = (big ? hflags | HF_SS32 : hflags & ~HF_SS32) & ~SavedContext.HF_CPL | (flags >>> 13 & 3);
        boolean addseg = (context.cr0() & 1) == 0 || (context.eflags() & (1 << 17)) != 0 || (hflags & HF_CS32) == 0
                || (context.segmentBase(X86.SEG_DS) | context.segmentBase(X86.SEG_ES) | context.segmentBase(X86.SEG_SS)) != 0;
        context.setHflags(addseg ? hflags | SavedContext.HF_ADDSEG : hflags & ~SavedContext.HF_ADDSEG);
        restore();
    }

    /**
     * Loads CS and SS with the flat 4 GiB segments sysenter and sysexit make at privilege {@code dpl} (which becomes
     * the CPL), whatever the GDT holds for their selectors, as the SDM's SYSENTER and SYSEXIT describe and QEMU does:
     * CS execute/read accessed, SS read/write accessed, both 32-bit and page-granular; and clears {@code clearFlags}
     * (IF, VM, RF for sysenter), which must not be done with a register write of EFLAGS from the sysenter hook:
     * Unicorn calls it without syncing QEMU's lazy arithmetic flags (no gen_update_cc_op before the helper), so
     * EFLAGS read there mixes a stale operation with fresh operands (measured: 0xccccc49a after an add of
     * 0xcccccccc), and one written there is undone by the cc_op the block stores as it ends. QEMU keeps those flags
     * outside CPUX86State.eflags, which this changes alone. One context round trip.
     */
    public void loadFlatCodeAndStack(int csSelector, int ssSelector, int dpl, int clearFlags) {
        save();
        context.setEflags(context.eflags() & ~clearFlags);
        int d = (dpl & 3) << 13;
        context.setSegmentCache(X86.SEG_CS, csSelector, 0, -1, FLAT_CODE | d);
        context.setSegmentCache(X86.SEG_SS, ssSelector, 0, -1, FLAT_STACK | d);
        int hflags = context.hflags() & ~SavedContext.HF_CPL | HF_CS32 | HF_SS32 | (dpl & 3);
        boolean addseg = (context.segmentBase(X86.SEG_DS) | context.segmentBase(X86.SEG_ES)) != 0;
        context.setHflags(addseg ? hflags | SavedContext.HF_ADDSEG : hflags & ~SavedContext.HF_ADDSEG);
        restore();
    }

    /** G, D, P, S, code, readable, accessed; and G, B, P, S, writable, accessed (descriptor high-dword bits). */
    private static final int FLAT_CODE = 0x00C09B00, FLAT_STACK = 0x00C09300;

    /** A descriptor's D/B bit, in its high dword. */
    private static final int DESC_B = 1 << 22;

    /**
     * Reads the pending exception's error code and whether it came from {@code int n}/{@code int3} (a software
     * interrupt), and resets QEMU's {@code old_exception} so the next fault is not escalated to #DF. Call once at the
     * top of every {@link Hooks.Interrupt} callback. Returns the error code; see {@link #lastWasSoftwareInterrupt}.
     */
    public int takeException() {
        save();
        lastSoftwareInterrupt = context.softwareInterrupt();
        int errorCode = context.errorCode();
        if (context.clearOldException()) restore();
        return errorCode;
    }

    public boolean lastWasSoftwareInterrupt() { return lastSoftwareInterrupt; }

    /**
     * True while the CPU is in the one-instruction shadow of {@code sti} or {@code mov ss} / {@code pop ss}, where it
     * takes no external interrupt: delivering one there would, for example, let {@code sti; hlt} sleep through the
     * interrupt that should have woken it. Asked only when an interrupt is about to be delivered.
     */
    public boolean interruptShadow() {
        save();
        return (context.hflags() & SavedContext.HF_INHIBIT_IRQ) != 0;
    }

    /**
     * Reads the hidden part of the six segment registers (the bases the CPU cached when each was loaded) into
     * {@code bases}, indexed ES, CS, SS, DS, FS, GS as {@link X86#SEG_ES} and the rest; returns QEMU's hflags (the CPL,
     * {@link #HF_CS32}, {@link #HF_SS32}).
     */
    public int segmentState(long[] bases) {
        return segmentState(bases, null, null);
    }

    /**
     * As {@link #segmentState(long[])}, and also each segment's cached limit (bytes) and descriptor flags (the
     * descriptor's high word with QEMU's layout: type at bits 8-11, S 12, DPL 13-14, P 15, AVL 20, L 21, D/B 22, G 23)
     * into {@code limits} and {@code flags}, for a debugger's view of the hidden state. Either may be null.
     */
    public int segmentState(long[] bases, int[] limits, int[] flags) {
        save();
        for (int i = 0; i < 6; i++) {
            bases[i] = context.segmentBase(i);
            if (limits != null) limits[i] = context.segmentLimit(i);
            if (flags != null) flags[i] = context.segmentFlags(i);
        }
        return context.hflags();
    }

    /**
     * The whole hidden state of the ten segment caches QEMU keeps, in its order ES, CS, SS, DS, FS, GS, LDTR, TR, GDTR,
     * IDTR: four longs each in {@code into} (selector, base, limit, attribute flags as the descriptor's high dword), and
     * QEMU's hflags returned. For the differential tester, which compares them between modes; not for the trap path.
     */
    public int segmentCaches(long[] into) {
        save();
        for (int i = 0; i < SavedContext.SEGMENT_CACHES; i++) context.segmentCache(i, into, 4 * i);
        return context.hflags();
    }
}
