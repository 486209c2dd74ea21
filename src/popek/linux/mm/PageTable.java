package popek.linux.mm;

import java.lang.foreign.MemorySegment;

import popek.cgroup.Cgroup;
import popek.cgroup.MemoryControl;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * One address space's x86 page tables (32-bit, two levels, 4 KiB pages), built by Popek in the page pool and walked
 * by Unicorn's own MMU at full speed: a page directory whose user half Popek fills on demand and whose last entry is
 * the kernel region's shared, supervisor-only table (the GDT).
 *
 * <p>PTE bits are the CPU's; bit 9 (ignored by the CPU) marks a copy-on-write page whose RW bit was cleared by fork.
 * The directory and tables are charged to the address space's cgroup (memory.stat's pagetables).
 */
public final class PageTable {
    public static final int P = 1, RW = 2, US = 4, ACCESSED = 1 << 5, DIRTY = 1 << 6, COW = 1 << 9;
    private static final int FRAME_MASK = 0xFFFFF000;
    /** The first directory entry of the kernel region (linear 0xFFC00000 and up). */
    public static final int KERNEL_PDE = 1023;

    private final PagePool pool;
    private final MemorySegment mem;
    private final int directory;
    /** Who pays for the tables made from now on (null: nobody). */
    private volatile Cgroup payer;
    /** The directory and tables it holds. */
    private int frames;

    /** A new, empty address space whose kernel entry points at {@code kernelTable} (a frame number), charged to nobody. */
    public PageTable(PagePool pool, int kernelTable) { this(pool, kernelTable, null); }

    /**
     * A new, empty address space whose kernel entry points at {@code kernelTable}, its frames charged to {@code payer};
     * throws ENOMEM when the directory's frame cannot be had.
     */
    public PageTable(PagePool pool, int kernelTable, Cgroup payer) {
        this.pool = pool;
        this.mem = pool.memory();
        this.payer = payer;
        this.directory = pool.allocate(payer, MemoryControl.PAGETABLES);
        if (directory < 0) throw popek.linux.abi.Errno.error(popek.linux.abi.Errno.ENOMEM);
        frames = 1;
        mem.set(JAVA_INT, pde(KERNEL_PDE), (kernelTable << PagePool.PAGE_SHIFT) | P | RW);
    }

    /** Charges the tables made from now on to {@code cg} (those made so far stay with whoever paid). */
    public void chargeTo(Cgroup cg) { payer = cg; }

    /** The frames of its directory and tables (the OOM killer's measure of an address space, with its pages). */
    public int frames() { return frames; }

    /** The physical address to load into CR3. */
    public int cr3() { return directory << PagePool.PAGE_SHIFT; }

    private long pde(int index) { return ((long) directory << PagePool.PAGE_SHIFT) + 4L * index; }

    /** The PTE that maps {@code vaddr}, or 0 when none (no table, or not present). */
    public int get(long vaddr) {
        int d = mem.get(JAVA_INT, pde((int) (vaddr >>> 22)));
        if ((d & P) == 0) return 0;
        return mem.get(JAVA_INT, (d & FRAME_MASK & 0xFFFFFFFFL) + 4L * ((vaddr >>> 12) & 1023));
    }

    /** The byte offset in the pool of the PTE for {@code vaddr}, making its page table if needed; -1 when out of frames. */
    private long slot(long vaddr, boolean create) {
        long at = pde((int) (vaddr >>> 22));
        int d = mem.get(JAVA_INT, at);
        if ((d & P) == 0) {
            if (!create) return -1;
            int t = pool.allocate(payer, MemoryControl.PAGETABLES);
            if (t < 0) return -1;
            frames++;
            d = (t << PagePool.PAGE_SHIFT) | P | RW | US;
            mem.set(JAVA_INT, at, d);
        }
        return (d & FRAME_MASK & 0xFFFFFFFFL) + 4L * ((vaddr >>> 12) & 1023);
    }

    /** Sets the PTE for {@code vaddr} (frame | flags); false when no frame was left for a page table. */
    public boolean set(long vaddr, int pte) {
        long s = slot(vaddr, true);
        if (s < 0) return false;
        mem.set(JAVA_INT, s, pte);
        return true;
    }

    /** Clears the PTE for {@code vaddr} and returns what it was (0 if none). Does not release the frame. */
    public int clear(long vaddr) {
        long s = slot(vaddr, false);
        if (s < 0) return 0;
        int old = mem.get(JAVA_INT, s);
        mem.set(JAVA_INT, s, 0);
        return old;
    }

    /**
     * Calls {@code v} for every non-zero PTE in [start, end) (present, or holding a frame the CPU may not use), skipping
     * absent page tables whole.
     */
    public void forEach(long start, long end, PteVisitor v) {
        long va = start;
        while (va < end) {
            int d = mem.get(JAVA_INT, pde((int) (va >>> 22)));
            long tableEnd = Math.min(end, ((va >>> 22) + 1) << 22);
            if ((d & P) == 0 || (va >>> 22) == KERNEL_PDE) {
                va = tableEnd;
                continue;
            }
            long base = d & FRAME_MASK & 0xFFFFFFFFL;
            for (; va < tableEnd; va += PagePool.PAGE_SIZE) {
                long s = base + 4L * ((va >>> 12) & 1023);
                int e = mem.get(JAVA_INT, s);
                if (e == 0) continue;
                int n = v.visit(va, e);
                if (n != e) mem.set(JAVA_INT, s, n);
            }
        }
    }

    /** Sees a non-zero PTE and returns the PTE to keep there (the same value to leave it, 0 to clear it). */
    @FunctionalInterface
    public interface PteVisitor {
        int visit(long vaddr, int pte);
    }

    /** Frees every page table and the directory (not the pages they map: the caller released those). */
    public void destroy() {
        for (int i = 0; i < KERNEL_PDE; i++) {
            int d = mem.get(JAVA_INT, pde(i));
            if ((d & P) != 0) pool.release(d >>> PagePool.PAGE_SHIFT);
        }
        pool.release(directory);
    }

    public static int frameOf(int pte) { return pte >>> PagePool.PAGE_SHIFT; }
}
