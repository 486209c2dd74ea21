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
    /** Pool slot + 1 of each RAM page frame's shadow; 0 for none. */
    private final int[] slotOfFrame;
    private final long[] frameOfSlot;
    private final byte[][] original;
    private final ScanResult[] scans;
    /** Per slot: the offset of each rewritten instruction's int3, ascending, and the scan index it stands for. */
    private final int[][] trapOffsets, trapSites;
    private final boolean[] maybeStale;
    /** The code-segment size (16 or 32) each shadow was decoded for. */
    private final byte[] bitsOfSlot;
    private int used;
    private int lastFlags;
    private final byte[] page = new byte[PAGE];
    private final byte[] nextPage = new byte[CodeScanner.NEXT_PAGE_BYTES];
    private final byte[] previous = new byte[PAGE];
    private long scansDone, rescans, purges;

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
        this.slotOfFrame = new int[(int) (ram.size() / PAGE)];
        this.frameOfSlot = new long[capacity];
        this.original = new byte[capacity][];
        this.scans = new ScanResult[capacity];
        this.trapOffsets = new int[capacity][];
        this.trapSites = new int[capacity][];
        this.maybeStale = new boolean[capacity];
        this.bitsOfSlot = new byte[capacity];
    }

    /**
     * The guest-physical address of the shadow of the RAM page at {@code physPage} (page-aligned), built from the page's
     * current bytes if there is none, the page changed since, or its shadow was decoded for the other code-segment
     * size ({@code bits}, 16 or 32: a boot sector's page holds both, and a sweep in the wrong size sees other
     * instructions).
     * {@link #lastFlags()} then says whether the shadow was built or rebuilt.
     */
    public long shadowOf(long physPage, int bits) {
        int frame = (int) (physPage / PAGE);
        int slot = slotOfFrame[frame] - 1;
        lastFlags = REUSED;
        if (slot >= 0) {
            boolean sameSize = bitsOfSlot[slot] == bits;
            if (!maybeStale[slot] && sameSize) return poolBase + (long) slot * PAGE;
            maybeStale[slot] = false;
            if (sameSize && !changed(slot)) {
                lastFlags = CHECKED;
                return poolBase + (long) slot * PAGE;
            }
            // The page changed: its new shadow goes in a fresh slot, so no translation the engine made of the old one
            // can ever run again (Unicorn can drop translations only by virtual address, or all of them).
            rescans++;
            lastFlags = REBUILT;
            slotOfFrame[frame] = 0;
        }
        if (used == capacity) {
            throw new IllegalStateException("the shadow code pool is full: its purge was asked for and never made");
        }
        slot = used++;
        slotOfFrame[frame] = slot + 1;
        frameOfSlot[slot] = frame;
        bitsOfSlot[slot] = (byte) bits;
        build(slot, frame, bits);
        lastFlags |= BUILT;
        return poolBase + (long) slot * PAGE;
    }

    /** What the last {@link #shadowOf} did: {@link #REUSED} or a combination of the other flags. */
    public int lastFlags() { return lastFlags; }

    /** The pool slot of the shadow of the RAM page holding {@code physical}, or -1 if it has none (or is no RAM). */
    private int slotOf(long physical) {
        long frame = physical / PAGE;
        return frame >= 0 && frame < slotOfFrame.length ? slotOfFrame[(int) frame] - 1 : -1;
    }

    /** Does the RAM page at {@code physPage} have a shadow? */
    public boolean hasShadow(long physPage) { return slotOf(physPage) >= 0; }

    /** The guest may have written the RAM page at {@code physPage}: check its shadow before it next runs. */
    public void written(long physPage) {
        int slot = slotOf(physPage);
        if (slot >= 0) maybeStale[slot] = true;
    }

    /** Is {@code address} (guest-physical) inside the pool? */
    public boolean inPool(long address) {
        return address >= poolBase && address < poolBase + (long) capacity * PAGE;
    }

    /** The RAM page a pool page shadows. */
    public long originalOf(long poolPage) {
        return frameOfSlot[(int) ((poolPage - poolBase) / PAGE)] * PAGE;
    }

    /**
     * The rewritten instruction whose {@code int3} is at guest-physical {@code address} of a page with a shadow
     * (address = the original page's address plus the offset): returns its index in the page's scan
     * ({@link #scanOf}), or -1 if no rewritten instruction traps there (an {@code int3} of the guest's own).
     */
    public int siteAt(long address) {
        int slot = slotOf(address);
        if (slot < 0) return -1;
        int[] traps = trapOffsets[slot];
        int offset = (int) (address % PAGE);
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

    /**
     * Is guest-physical {@code address} strictly inside a rewritten instruction, on one of the nops before its
     * {@code int3} (or on the {@code int3} itself, past the first byte)? A single step of the shadow's padding lands
     * there; the guest's own instruction has no such boundary.
     */
    public boolean insidePadding(long address) {
        int slot = slotOf(address);
        if (slot < 0) return false;
        int[] traps = trapOffsets[slot];
        int offset = (int) (address % PAGE);
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

    /** The scan the shadow of the RAM page at {@code physPage} was patched from, or null if it has none. */
    public ScanResult scanOf(long physPage) {
        int slot = slotOf(physPage);
        return slot < 0 ? null : scans[slot];
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

    /** The pool page shadowing the RAM page at {@code physPage}, or -1 if it has none. */
    public long shadowPageOf(long physPage) {
        int slot = slotOf(physPage);
        return slot < 0 ? -1 : poolBase + (long) slot * PAGE;
    }

    /** Shadows built, including rebuilds. */
    public long scans() { return scansDone; }

    /** Shadows rebuilt because their page changed (self-modifying or newly loaded code). */
    public long rescans() { return rescans; }

    /** Times the pool filled up and was emptied. */
    public long purges() { return purges; }

    /** Shadows in the pool now. */
    public int size() { return used; }

    private boolean changed(int slot) {
        long at = frameOfSlot[slot] * PAGE;
        return MemorySegment.mismatch(ram.segment(), at, at + PAGE, MemorySegment.ofArray(original[slot]), 0, PAGE) != -1;
    }

    private void build(int slot, int frame, int bits) {
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
        if (frame > 0 && slotOfFrame[frame - 1] != 0) {
            spill = scans[slotOfFrame[frame - 1] - 1].endOffset() - PAGE;
        } else if (frame > 0) {
            ram.read(at - PAGE, previous, 0, PAGE);
            spill = scanner.scan(previous, 0, at - PAGE, bits, page).endOffset() - PAGE;
        }
        if (spill > 0 && spill < PAGE) start = spill;
        ScanResult scan = scanner.scan(page, start, at, bits, next);
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
        java.util.Arrays.fill(slotOfFrame, 0);
        used = 0;
        purges++;
    }
}
