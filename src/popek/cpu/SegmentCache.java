package popek.cpu;

import popek.engine.Unicorn;

/**
 * The segment bases the CPU cached when the guest last loaded each segment register, as the emulation of a trapped
 * instruction needs them (a memory operand, the stack). No register API shows them, so they are read from a saved
 * context (about 100 ns) and kept until something may have changed them: an event delivered through the IDT, a segment
 * register loaded by an emulated instruction, or a return to ring 3, after which user code runs natively and may load
 * its own segments before it enters the kernel again (by an event, or by {@code sysenter}). Kernel code cannot change
 * them unseen: every segment load in it is trapped.
 */
final class SegmentCache {
    private final Unicorn uc;
    private final long[] bases = new long[6];
    private boolean valid;
    private int hflags;

    SegmentCache(Unicorn uc) { this.uc = uc; }

    /** The cached base of segment register {@code seg} ({@link popek.engine.X86#SEG_ES} ... GS). */
    long base(int seg) {
        if (!valid) load();
        return bases[seg];
    }

    /** QEMU's hflags as of the last load (the CPL, whether CS and SS are 32-bit). */
    int hflags() {
        if (!valid) load();
        return hflags;
    }

    private void load() {
        hflags = uc.context().segmentState(bases);
        valid = true;
    }

    /** Something may have loaded a segment register: read them again when next needed. */
    void invalidate() { valid = false; }
}
