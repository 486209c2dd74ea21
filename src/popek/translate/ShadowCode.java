package popek.translate;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import popek.memory.GuestMemory;

/**
 * The patched copies of guest kernel code that full virtualisation runs instead of the originals, and the patch
 * table that says what each trap stands for.
 *
 * <p>For each 4 KiB page of guest-physical RAM that kernel code runs from, a <em>shadow page</em> in a pool of host
 * memory (mapped into the engine above guest RAM, at or above {@link #POOLS_BASE}) holds the page's bytes with every sensitive
 * instruction {@link CodeScanner} found replaced by {@code nop}s and a final {@code int3} (0xCC), of the same length
 * (an instruction that runs on into the next page gets its {@code int3} on its first byte instead). The shadow MMU maps a
 * kernel-mode instruction fetch to the shadow, execute-only, and every data access to the original page: so the
 * guest runs the patched code but reads, and writes, only its own bytes, and the patches are invisible to it.
 *
 * <p>Each shadow keeps the original bytes it was made from. A write to a page with a shadow marks the shadow
 * <em>maybe stale</em> ({@link #written}); the next fetch compares the page with those bytes and, if anything changed
 * (self-modifying code, a module or kernel loaded over old code), scans and patches the page again. A page is
 * therefore decoded once per content version.
 *
 * <p>A changed page gets its new shadow in a fresh slot of the pool; the old slot is not reused until the pool is
 * nearly full, when every shadow is dropped at once ({@link #purge}, after the caller dropped all of the engine's
 * translations) and rebuilt on demand. A kernel whose code outgrows the pool pays for it in rescans, not in correctness. Not thread-safe: the vCPU's.
 */
public final class ShadowCode {
    /** Guest-physical address where pools start: the 4 GiB boundary, above any RAM a 32-bit guest has. */
    public static final long POOLS_BASE = 1L << 32;
    public static final int PAGE = CodeScanner.PAGE_SIZE;
    /**
     * What {@link #shadowOf} did besides returning the shadow's address: flags the caller acts on. {@code CHECKED}: the
     * page was written since its shadow was made or last checked, and was found unchanged.
     */
    public static final int REUSED = 0, BUILT = 1, REBUILT = 2, CHECKED = 4;
    private static final byte INT3 = (byte) 0xCC, NOP = (byte) 0x90;

    private final GuestMemory ram;
    private final MemorySegment pool;
    private final long poolBase;
    private final boolean kernel;
    private final int capacity;
    private final CodeScanner scanner;
    /**
     * Pool slot + 1 of each RAM page frame's shadow decoded as 32-bit code, and (made when first needed: 16-bit
     * protected-mode code is rare) as 16-bit code; 0 for none. A page can hold both (a boot sector's 16-bit code
     * far-jumps to 32-bit code in the same page, a kernel's real-mode trampoline sits beside its 32-bit caller):
     * each size has its own shadow, so running the page in one size never costs the other's decoding.
     */
    private final int[] slotOfFrame32;
    private int[] slotOfFrame16;
    private final long[] frameOfSlot;
    private final byte[][] original;
    private final ScanResult[] scans;
    /** Per slot: the offset of each rewritten instruction's int3, ascending, and the scan index it stands for. */
    private final int[][] trapOffsets, trapSites;
    /** Per slot: the offsets (ascending) where the CPU was seen to start a block of code, which the sweep obeys. */
    private final int[][] anchors;
    private final boolean[] maybeStale;
    /** Per slot: the entries whose code {@link #knownEntry} has followed (made when first needed). */
    private final long[][] followed;
    /** The code-segment size (16 or 32) each shadow was decoded for. */
    private final byte[] bitsOfSlot;
    private int used;
    private int lastFlags;
    private final byte[] page = new byte[PAGE];
    private final byte[] nextPage = new byte[CodeScanner.NEXT_PAGE_BYTES];
    private final byte[] previous = new byte[PAGE];
    private long scansDone, rescans, reanchors, purges;
    private static final int[] NO_ANCHORS = {};

    /**
     * {@code pool}: page-aligned host memory whose size (a multiple of 4 KiB) sets how many shadows fit, mapped at
     * guest-physical {@code poolBase}. {@code kernel}: shadows for kernel code (CPL 0-2, every sensitive class but
     * those that trap without rewriting) or for user code (CPL 3: only port I/O, which Unicorn never checks against
     * IOPL or the TSS I/O bitmap, so Popek must).
     */
    public ShadowCode(GuestMemory ram, MemorySegment pool, long poolBase, boolean kernel, CodeScanner scanner) {
        this.ram = ram;
        this.pool = pool;
        this.poolBase = poolBase;
        this.kernel = kernel;
        this.capacity = (int) (pool.byteSize() / PAGE);
        if (capacity <= RESERVE) throw new IllegalArgumentException("a shadow pool needs more than " + RESERVE + " pages");
        this.scanner = scanner;
        this.slotOfFrame32 = new int[(int) (ram.size() / PAGE)];
        this.frameOfSlot = new long[capacity];
        this.original = new byte[capacity][];
        this.scans = new ScanResult[capacity];
        this.trapOffsets = new int[capacity][];
        this.trapSites = new int[capacity][];
        this.anchors = new int[capacity][];
        this.maybeStale = new boolean[capacity];
        this.followed = new long[capacity][];
        this.bitsOfSlot = new byte[capacity];
    }

    /** As {@link #shadowOf(long, int, int)} with no known entry point. */
    public long shadowOf(long physPage, int bits) { return shadowOf(physPage, bits, -1); }

    /**
     * The guest-physical address of the shadow of the RAM page at {@code physPage} (page-aligned) decoded as
     * {@code bits}-bit code (16 or 32, the code segment's size), built from the page's current bytes if there is none
     * or the page changed since. {@code entry} is the offset in the page where the CPU is about to start running
     * (-1 if not known): if the shadow's sweep did not decode an instruction there (it was out of step: data before
     * code, a Multiboot header, code of the other size), the page is decoded again with the entry as an anchor, so
     * that what runs from the entry is what the CPU would run. {@link #lastFlags()} then says what was done.
     */
    public long shadowOf(long physPage, int bits, int entry) {
        int frame = (int) (physPage / PAGE);
        int[] slots = slotsFor(bits);
        int slot = slots[frame] - 1;
        lastFlags = REUSED;
        int[] keep = NO_ANCHORS;
        if (slot >= 0) {
            boolean stale = maybeStale[slot];
            boolean changed = false;
            if (stale) {
                maybeStale[slot] = false;
                changed = changed(slot);
                if (!changed) lastFlags = CHECKED;
            }
            if (!changed) {
                if (entry < 0 || knownEntry(slot, entry)) return poolBase + (long) slot * PAGE;
                keep = anchors[slot];   // the same bytes, entered out of the sweep's step: decode again from there
                reanchors++;
            } else {
                rescans++;   // new bytes: the old entries may be inside the new instructions, so they are dropped
            }
            // The new shadow goes in a fresh slot, so no translation the engine made of the old one can ever run
            // again (Unicorn can drop translations only by virtual address, or all of them).
            lastFlags = REBUILT;
            slots[frame] = 0;
        }
        if (used == capacity) {
            throw new IllegalStateException("the shadow code pool is full: its purge was asked for and never made");
        }
        slot = used++;
        slots[frame] = slot + 1;
        frameOfSlot[slot] = frame;
        bitsOfSlot[slot] = (byte) bits;
        anchors[slot] = entry < 0 ? keep : CodeScanner.withAnchor(keep, entry);
        build(slot, frame, bits, slots);
        lastFlags |= BUILT;
        return poolBase + (long) slot * PAGE;
    }

    private int[] slotsFor(int bits) {
        if (bits == 32) return slotOfFrame32;
        if (slotOfFrame16 == null) slotOfFrame16 = new int[slotOfFrame32.length];
        return slotOfFrame16;
    }

    /** What the last {@link #shadowOf} did: {@link #REUSED} or a combination of the other flags. */
    public int lastFlags() { return lastFlags; }

    /** The pool slots of the shadows (either size) of the RAM page holding {@code physical}; -1 for none. */
    private int slotOf(int[] slots, long physical) {
        long frame = physical / PAGE;
        return slots != null && frame >= 0 && frame < slots.length ? slots[(int) frame] - 1 : -1;
    }

    /** Does the RAM page at {@code physPage} have a shadow (of either code size)? */
    public boolean hasShadow(long physPage) { return slotOf(slotOfFrame32, physPage) >= 0 || slotOf(slotOfFrame16, physPage) >= 0; }

    /** The guest may have written the RAM page at {@code physPage}: check its shadows before they next run. */
    public void written(long physPage) {
        int slot = slotOf(slotOfFrame32, physPage);
        if (slot >= 0) maybeStale[slot] = true;
        slot = slotOf(slotOfFrame16, physPage);
        if (slot >= 0) maybeStale[slot] = true;
    }

    /** Is {@code address} (guest-physical) inside the pool? */
    public boolean inPool(long address) {
        return address >= poolBase && address < poolBase + (long) capacity * PAGE;
    }

    /** The RAM page a pool page shadows. */
    public long originalOf(long poolPage) {
        return frameOfSlot[slotAt(poolPage)] * PAGE;
    }

    private int slotAt(long poolPage) { return (int) ((poolPage - poolBase) / PAGE); }

    /**
     * The rewritten instruction whose {@code int3} is at {@code offset} in the shadow at pool page {@code poolPage}
     * (the one the CPU ran, which may be older than the page's newest shadow): returns its index in that shadow's
     * scan ({@link #scanOfShadow}), or -1 if no rewritten instruction traps there (an {@code int3} of the guest's own).
     */
    public int siteAt(long poolPage, int offset) {
        int slot = slotAt(poolPage);
        int[] traps = trapOffsets[slot];
        int lo = 0, hi = traps.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int o = traps[mid];
            if (o < offset) lo = mid + 1;
            else if (o > offset) hi = mid - 1;
            else return trapSites[slot][mid];
        }
        return -1;
    }

    /** Did the sweep of the shadow at pool page {@code poolPage} decode an instruction starting at {@code offset}? */
    public boolean isInstructionStart(long poolPage, int offset) { return scans[slotAt(poolPage)].isInstructionStart(offset); }

    /**
     * Can the CPU start running the shadow at pool page {@code poolPage} at {@code offset} as it is: did the sweep
     * decode an instruction there, and does every direct branch the code from there runs (up to its first
     * unconditional transfer) jump to where the sweep decoded one? See {@link #knownEntry(int, int)}.
     */
    public boolean canEnterAt(long poolPage, int offset) { return knownEntry(slotAt(poolPage), offset); }

    /**
     * An entry the sweep decoded an instruction at, reached after the shadow was made (so not one of its anchors),
     * can branch within the page into the middle of an instruction the sweep decoded, which no TLB fill would show:
     * code overlapping other code (16-bit code running in 32-bit code's bytes), where a rewritten instruction's nops
     * and int3 would run instead of the instruction really there. The code from each such entry is followed once per
     * shadow (it costs only the first entry there); false means the page must be decoded again from the entry.
     */
    private boolean knownEntry(int slot, int entry) {
        ScanResult scan = scans[slot];
        if (!scan.isInstructionStart(entry)) return false;
        long[] seen = followed[slot];
        if (seen == null) seen = followed[slot] = new long[PAGE / 64];
        if ((seen[entry >>> 6] & 1L << entry) != 0) return true;
        seen[entry >>> 6] |= 1L << entry;
        byte[] bytes = original[slot];
        for (int at = entry; ; ) {
            int next = scan.nextStart(at);
            if (next < 0 || next - at > 15) return true;   // the page's end, or a gap the sweep stepped over
            long b = CodeScanner.branch(bytes, at, next - at, bitsOfSlot[slot]);
            int target = CodeScanner.target(b);
            if (target >= 0 && !scan.isInstructionStart(target)) {
                seen[entry >>> 6] &= ~(1L << entry);
                return false;
            }
            if (!CodeScanner.runsOn(b)) return true;
            at = next;
        }
    }

    /** The scan the shadow at pool page {@code poolPage} was patched from. */
    public ScanResult scanOfShadow(long poolPage) { return scans[slotAt(poolPage)]; }

    /** The newest shadow of the RAM page at {@code physPage} decoded as {@code bits}-bit code, or -1 if none. */
    public long shadowPageOf(long physPage, int bits) {
        int slot = slotOf(bits == 32 ? slotOfFrame32 : slotOfFrame16, physPage);
        return slot < 0 ? -1 : poolBase + (long) slot * PAGE;
    }

    /**
     * Is {@code offset} in the shadow at pool page {@code poolPage} strictly inside a rewritten instruction, on one of
     * the nops before its {@code int3} (or on the {@code int3} itself, past the first byte)? A single step of the
     * shadow's padding lands there; the guest's own instruction has no such boundary.
     */
    public boolean insidePadding(long poolPage, int offset) {
        int slot = slotAt(poolPage);
        int[] traps = trapOffsets[slot];
        int lo = 0, hi = traps.length - 1, found = -1;
        while (lo <= hi) {   // the first int3 at or after offset
            int mid = (lo + hi) >>> 1;
            if (traps[mid] >= offset) {
                found = mid;
                hi = mid - 1;
            } else {
                lo = mid + 1;
            }
        }
        return found >= 0 && scans[slot].offset(trapSites[slot][found]) < offset;
    }

    /** The newest 32-bit shadow's scan of the RAM page at {@code physPage}, or null if it has none. */
    public ScanResult scanOf(long physPage) {
        long shadow = shadowPageOf(physPage, 32);
        return shadow < 0 ? null : scanOfShadow(shadow);
    }

    /**
     * Is this class rewritten into a trap here? In kernel code all are but three, which trap without rewriting:
     * {@code in}/{@code out} and their string forms, and {@code cpuid}, reach the VMM through Unicorn's instruction
     * hooks (cheaper than a rewritten trap, and the same in user code), and {@code int n} raises its event on the
     * CPU, which the VMM delivers. In user code only port I/O (for its permission check, which Unicorn leaves out) and
     * {@code rdtsc}/{@code rdtscp} (so that user code too reads the virtual TSC: Unicorn 2.1.1 cannot hook them).
     */
    private boolean rewritten(int classOrdinal) {
        if (!kernel) return classOrdinal == IO || classOrdinal == RDTSC || classOrdinal == IDIV;
        return classOrdinal != IO && classOrdinal != CPUID && classOrdinal != INT_N;
    }

    private static final int IO = SensitiveClass.IO.ordinal(), CPUID = SensitiveClass.CPUID.ordinal(),
            RDTSC = SensitiveClass.RDTSC.ordinal(), IDIV = SensitiveClass.IDIV.ordinal(),
            INT_N = SensitiveClass.INT_N.ordinal();

    /** Shadows built, including rebuilds. */
    public long scans() { return scansDone; }

    /** Shadows rebuilt because their page changed (self-modifying or newly loaded code). */
    public long rescans() { return rescans; }

    /** Shadows rebuilt because code was entered where their sweep had decoded no instruction. */
    public long reanchors() { return reanchors; }

    /** Times the pool filled up and was emptied. */
    public long purges() { return purges; }

    /** Shadows in the pool now. */
    public int size() { return used; }

    private boolean changed(int slot) {
        long at = frameOfSlot[slot] * PAGE;
        return MemorySegment.mismatch(ram.segment(), at, at + PAGE, MemorySegment.ofArray(original[slot]), 0, PAGE) != -1;
    }

    private void build(int slot, int frame, int bits, int[] slots) {
        long at = (long) frame * PAGE;
        ram.read(at, page, 0, PAGE);
        byte[] next = null;
        if (ram.contains(at + PAGE, nextPage.length)) {
            // The physically next page stands in for the linearly next one: a kernel's text is contiguous in both.
            ram.read(at + PAGE, nextPage, 0, nextPage.length);
            next = nextPage;
        }
        // Start where a sweep of the page before ends, so that an instruction across the boundary does not
        // desynchronise this page's sweep (measured: Linux 6.1's free_area_init ran into a false "les" planted inside
        // a mov, its page's sweep having started in the middle of an instruction). The page before is scanned for
        // this if it has no shadow (a kernel's text is contiguous in physical memory).
        int start = 0;
        int spill = -1;   // how far the last instruction of the page before runs into this one
        if (frame > 0 && slots[frame - 1] != 0) {
            spill = scans[slots[frame - 1] - 1].endOffset() - PAGE;
        } else if (frame > 0) {
            ram.read(at - PAGE, previous, 0, PAGE);
            spill = scanner.scan(previous, 0, at - PAGE, bits, page).endOffset() - PAGE;
        }
        if (spill > 0 && spill < PAGE) start = spill;
        ScanResult scan = scanner.scan(page, start, at, bits, next, anchors[slot]);
        if (original[slot] == null) original[slot] = new byte[PAGE];
        System.arraycopy(page, 0, original[slot], 0, PAGE);
        int n = 0;
        int[] traps = new int[scan.count()], sites = new int[scan.count()];
        for (int i = 0; i < scan.count(); i++) {
            if (!rewritten(scan.classOrdinal(i))) continue;
            int first = scan.offset(i), end = first + scan.length(i);
            int trap;
            if (end <= PAGE) {
                // nop ... nop int3: the trap comes with EIP already past the instruction, so an emulation that does
                // not jump leaves EIP alone (writing it makes Unicorn leave and re-enter its execution loop).
                for (int b = first; b < end - 1; b++) page[b] = NOP;
                trap = end - 1;
            } else {
                trap = first;   // it runs on into the next page: trap at its first byte
            }
            page[trap] = INT3;
            traps[n] = trap;
            sites[n++] = i;
        }
        trapOffsets[slot] = java.util.Arrays.copyOf(traps, n);
        trapSites[slot] = java.util.Arrays.copyOf(sites, n);
        MemorySegment.copy(page, 0, pool, ValueLayout.JAVA_BYTE, (long) slot * PAGE, PAGE);
        scans[slot] = scan;
        followed[slot] = null;
        maybeStale[slot] = false;
        scansDone++;
    }

    /**
     * Slots kept for the fetches that come between {@link #needsPurge()} turning true and the purge: the engine stops
     * at the next block boundary, and one block's code spans at most two pages.
     */
    public static final int RESERVE = 8;

    /** Is the pool down to its reserve? The caller then purges it as soon as the engine is stopped. */
    public boolean needsPurge() { return used >= capacity - RESERVE; }

    /**
     * Forgets every shadow, so their slots can be used again. The caller must first drop all of the engine's
     * translated code and its TLB, and do so outside the engine's run (Unicorn aborts if its translations are
     * flushed from inside a TLB-fill hook).
     */
    public void purge() {
        java.util.Arrays.fill(slotOfFrame32, 0);
        if (slotOfFrame16 != null) java.util.Arrays.fill(slotOfFrame16, 0);
        used = 0;
        purges++;
    }
}
