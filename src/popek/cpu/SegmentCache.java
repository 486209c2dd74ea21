package popek.cpu;

import popek.engine.CpuContext;
import popek.engine.Unicorn;

/**
 * The hidden part of the segment registers (base, limit, attributes) as the CPU cached it when the guest last loaded
 * each one, as the emulation of a trapped instruction needs it (a memory operand's address and its segment checks, the
 * stack). No register API shows them, so they are read from a saved
 * context (about 100 ns) and kept until something may have changed them: an event delivered through the IDT, a segment
 * register loaded by an emulated instruction, or a return to ring 3, after which user code runs natively and may load
 * its own segments before it enters the kernel again (by an event, or by {@code sysenter}) or traps (a rewritten
 * instruction of its own: such a trap reads them afresh). Kernel code cannot change them unseen: every segment load
 * in it is trapped.
 */
final class SegmentCache {
    private final Unicorn uc;
    private final long[] bases = new long[6];
    private final int[] limits = new int[6], flags = new int[6];
    private boolean valid;
    private int hflags;

    SegmentCache(Unicorn uc) { this.uc = uc; }

    /** The cached base of segment register {@code seg} ({@link popek.engine.X86#SEG_ES} ... GS). */
    long base(int seg) {
        if (!valid) load();
        return bases[seg];
    }

    /** The cached limit of segment register {@code seg}, in bytes (granularity applied). */
    int limit(int seg) {
        if (!valid) load();
        return limits[seg];
    }

    /**
     * The cached attributes of segment register {@code seg}: the descriptor's high dword as QEMU keeps it (type at bits
     * 8-11, S 12, DPL 13-14, P 15, D/B 22); 0 for a null selector loaded in protected mode, which makes it unusable.
     */
    int flags(int seg) {
        if (!valid) load();
        return flags[seg];
    }

    /** QEMU's hflags as of the last load (the CPL, whether CS and SS are 32-bit). */
    int hflags() {
        if (!valid) load();
        return hflags;
    }

    private void load() {
        hflags = uc.context().segmentState(bases, limits, flags);
        valid = true;
    }

    /** Something may have loaded a segment register: read them again when next needed. */
    void invalidate() { valid = false; }

    /**
     * The guest ran real-mode code, whose segment loads and far transfers the CPU makes unseen: forget the bases and
     * the code size too (a kernel that went back to real mode may far-jump there before it sets CR0.PE again).
     */
    void forgetRealMode() {
        valid = false;
        codeBits = 0;
    }

    /**
     * The code segment's size, 16 or 32, for decoding a page of code. Known without a context save because, in
     * kernel code, only Popek loads CS (every far transfer, event and iret is emulated): each such load reports the
     * segment's D bit to {@link #codeLoaded}. (A far transfer user code makes natively goes unseen; the next event
     * or iret corrects it.)
     */
    int codeBits() {
        if (codeBits == 0) codeBits = (hflags() & popek.engine.CpuContext.HF_CS32) != 0 ? 32 : 16;
        return codeBits;
    }

    /**
     * Popek loaded CS with a code segment described by {@code descriptor}. A change of size drops the TLB, so that each
     * page of code is fetched through the MMU again and decoded for the new size (the real-to-protected-mode switch:
     * a boot sector's 16-bit code far-jumps to 32-bit code in the same page).
     */
    void codeLoaded(long descriptor) {
        codeLoaded((Descriptor.high(descriptor) & (1 << 22)) != 0 ? 32 : 16);
        if (valid) {   // the new CS's hidden part
            bases[popek.engine.X86.SEG_CS] = Descriptor.base(descriptor) & 0xFFFFFFFFL;
            limits[popek.engine.X86.SEG_CS] = Descriptor.limit(descriptor);
            flags[popek.engine.X86.SEG_CS] = Descriptor.high(descriptor);
        }
    }

    void codeLoaded(int bits) {
        if (codeBits != 0 && codeBits != bits) uc.flushTlb();
        codeBits = bits;
        // The cached hflags decide how the next trapped instruction is decoded: keep their CS32 bit with the new CS
        // (a far jmp to 16-bit code left it saying 32, so a 16-bit mov dx, ss wrote all of EDX).
        if (valid) hflags = bits == 32 ? hflags | CpuContext.HF_CS32 : hflags & ~CpuContext.HF_CS32;
    }

    private int codeBits;
}
