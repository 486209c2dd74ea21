package popek.linux.platform;

import java.lang.foreign.MemorySegment;

import popek.linux.mm.PagePool;
import popek.linux.mm.PageTable;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The top 4 MiB of every address space (linear 0xFFC00000 and up, above Linux's 3 GiB user limit): one page table,
 * shared by all page directories and reachable only at CPL 0, mapping one GDT page per CPU. User code can never read
 * it; the CPU reads it to load segment registers. There is no IDT: every exception and {@code int n} reaches Popek's
 * hook without one.
 */
public final class KernelRegion {
    /** CPU i's GDT is at this linear address minus i pages. */
    static final long GDT_TOP = 0xFFFFF000L;
    public static final int MAX_CPUS = 64;

    private final PagePool pool;
    private final int table;
    private final int[] gdtFrames = new int[MAX_CPUS];

    public KernelRegion(PagePool pool) {
        this.pool = pool;
        this.table = pool.allocate();
        if (table < 0) throw new OutOfMemoryError("no frame for the kernel region");
    }

    /** The frame of the shared kernel page table, for {@link PageTable}'s constructor. */
    public int table() { return table; }

    /** The linear address of CPU {@code index}'s GDT. */
    static long gdtAddress(int index) { return GDT_TOP - ((long) index << PagePool.PAGE_SHIFT); }

    /** CPU {@code index}'s GDT page, made and mapped (supervisor-only) on first use; its linear address. */
    synchronized long gdtFor(int index) {
        if (index < 0 || index >= MAX_CPUS) throw new IllegalArgumentException("cpu " + index);
        long linear = gdtAddress(index);
        if (gdtFrames[index] == 0) {
            int f = pool.allocate();
            if (f < 0) throw new OutOfMemoryError("no frame for a GDT");
            gdtFrames[index] = f;
            long pte = ((long) table << PagePool.PAGE_SHIFT) + 4L * ((linear >>> 12) & 1023);
            pool.memory().set(JAVA_INT, pte, (f << PagePool.PAGE_SHIFT) | PageTable.P | PageTable.RW);
            Gdt.initialise(gdtSegment(index));
        }
        return linear;
    }

    /** The 4 KiB of CPU {@code index}'s GDT, as Java writes it. */
    MemorySegment gdtSegment(int index) {
        return pool.memory().asSlice((long) gdtFrames[index] << PagePool.PAGE_SHIFT, PagePool.PAGE_SIZE);
    }
}
