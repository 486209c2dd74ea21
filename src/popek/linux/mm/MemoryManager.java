package popek.linux.mm;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import popek.cgroup.Cgroup;
import popek.cgroup.MemoryControl;
import popek.linux.abi.Errno;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * One process's address space, as gVisor's MemoryManager: its areas ({@link Vma}), its x86 page tables, the heap's
 * break, and the fault handler that fills page tables on demand (anonymous zero pages, file pages, copy-on-write
 * after fork, stack growth). Threads made with CLONE_VM share one.
 *
 * <p>Page tables are filled lazily: an area says what may be mapped, a PTE says what is. A translation Popek takes
 * away (munmap, mprotect, fork's write protection, a copy made on a system call's behalf) leaves the CPU's TLB
 * stale, which {@link #takeTlbStale} reports so the CPU flushes before the program runs again; a fault the CPU took
 * itself needs no flush (QEMU refills that page's entry when the instruction runs again).
 *
 * <p>Pages it makes are charged to its cgroup (its owner process's, {@link #setCgroup}): anonymous pages and copies
 * made on a write, page-cache pages it reads first, shared pages it touches first, and its page tables.
 */
public final class MemoryManager {
    /** The end of user space on i386 Linux (3 GiB). */
    public static final long TASK_SIZE = 0xC0000000L;
    /** Where top-down mmap placement starts (below the stack and its rlimit gap). */
    public static final long MMAP_BASE = 0xB7800000L;
    /** Lowest address mmap may pick by itself (vm.mmap_min_addr). */
    public static final long MMAP_MIN = 0x10000L;
    /**
     * Linux's vm.max_map_count default: mmap fails with ENOMEM past this many areas, which bounds what one address
     * space's areas can cost the Java heap (a few MiB).
     */
    public static final int MAX_MAP_COUNT = 65530;
    /** How far below its lowest page the stack may grow (RLIMIT_STACK's usual 8 MiB). */
    public static final long STACK_LIMIT = 8L << 20;
    /** The PTE bit for a resident page made inaccessible by PROT_NONE (not present to the CPU, frame kept). */
    static final int PROT_NONE_HELD = 1 << 10;
    private static final long PAGE = PagePool.PAGE_SIZE;

    private final PagePool pool;
    private final PageCache cache;
    private final FaultCounters faults;
    private final PageTable pt;
    private final int kernelTable;
    final TreeMap<Long, Vma> vmas = new TreeMap<>();
    private long brkStart, brk;
    private boolean tlbStale;
    private int residentPages;
    private final int id = NEXT_ID.incrementAndGet();
    private int users = 1;
    /** Who pays for the pages it makes now (null: nobody). */
    private volatile Cgroup cgroup;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_ID = new java.util.concurrent.atomic.AtomicInteger();

    public MemoryManager(PagePool pool, PageCache cache, FaultCounters faults, int kernelTable) {
        this(pool, cache, faults, kernelTable, null);
    }

    /** An empty address space whose pages and tables are charged to {@code cgroup}; ENOMEM when no directory can be had. */
    public MemoryManager(PagePool pool, PageCache cache, FaultCounters faults, int kernelTable, Cgroup cgroup) {
        this.pool = pool;
        this.cache = cache;
        this.faults = faults;
        this.kernelTable = kernelTable;
        this.cgroup = cgroup;
        this.pt = new PageTable(pool, kernelTable, cgroup);
    }

    /** The cgroup its new pages are charged to. */
    public Cgroup cgroup() { return cgroup; }

    /** Its owner moved to {@code cg}: pages made from now on are charged there (those made stay where they were). */
    public void setCgroup(Cgroup cg) {
        cgroup = cg;
        pt.chargeTo(cg);
    }

    /** The frames of its page tables. */
    public int pageTableFrames() { return pt.frames(); }

    public int cr3() { return pt.cr3(); }

    /** A number naming this address space (futex keys). */
    public int id() { return id; }

    /** One more task uses this address space (CLONE_VM). */
    public synchronized void addUser() { users++; }

    /** A task stopped using it; true for the last, which must then {@link #release} it. */
    public synchronized boolean removeUser() { return --users == 0; }

    /** How many tasks share it (CLONE_VM). */
    public synchronized int users() { return users; }

    /** The physical (pool) address of {@code addr}, faulting it in for reading; -1 if the program cannot read it. */
    public long physicalAddress(long addr) { return translate(addr, false); }

    public PagePool pool() { return pool; }

    /** True (once) when a translation was taken away since the last call: the CPU must flush its TLB. */
    public boolean takeTlbStale() {
        boolean s = tlbStale;
        tlbStale = false;
        return s;
    }

    public int residentPages() { return residentPages; }

    /** The areas in address order (for /proc/[pid]/maps and core dumps). */
    public List<Vma> areas() { return List.copyOf(vmas.values()); }

    public long brkStart() { return brkStart; }

    public long brk() { return brk; }

    static long pageDown(long a) { return a & ~(PAGE - 1); }

    static long pageUp(long a) { return (a + PAGE - 1) & ~(PAGE - 1); }

    /** The area holding {@code addr}, or null. */
    public Vma find(long addr) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(addr);
        return e != null && addr < e.getValue().end ? e.getValue() : null;
    }

    private boolean free(long start, long end) {
        if (start < MMAP_MIN / 16 || end > TASK_SIZE || start >= end) return false;
        Map.Entry<Long, Vma> e = vmas.lowerEntry(end);
        return e == null || e.getValue().end <= start;
    }

    // ---------------------------------------------------------------- mapping

    /**
     * Maps [addr, addr + length) (page-aligned start; {@code fixed}: exactly there, replacing what was; otherwise
     * {@code addr} is a hint). Returns the address, or -errno.
     */
    public long map(long addr, long length, int prot, int flags, boolean fixed, Mappable file, long offset, String name) {
        if (length <= 0) return -Errno.EINVAL;
        long len = pageUp(length);
        if (len > TASK_SIZE) return -Errno.ENOMEM;
        if (vmas.size() > MAX_MAP_COUNT) return -Errno.ENOMEM;
        long at;
        if (fixed) {
            if ((addr & (PAGE - 1)) != 0 || addr + len > TASK_SIZE || addr < 0) return -Errno.EINVAL;
            unmap(addr, len);
            at = addr;
        } else if (addr != 0 && pageDown(addr) + len <= TASK_SIZE && pageDown(addr) >= MMAP_MIN && free(pageDown(addr), pageDown(addr) + len)) {
            at = pageDown(addr);
        } else {
            at = findGap(len);
            if (at < 0) return -Errno.ENOMEM;
        }
        insert(new Vma(at, at + len, prot, flags, file, offset, name == null ? "" : name));
        return at;
    }

    /** The highest free gap of {@code len} bytes below {@link #MMAP_BASE} (top-down, as Linux places mmaps), or -1. */
    private long findGap(long len) {
        long top = MMAP_BASE;
        for (;;) {
            long start = top - len;
            if (start < MMAP_MIN) return -1;
            Map.Entry<Long, Vma> e = vmas.lowerEntry(top);
            if (e == null || e.getValue().end <= start) return start;
            top = e.getValue().start;
        }
    }

    private void insert(Vma v) {
        if (v.file instanceof AnonymousShared s) s.attach();
        vmas.put(v.start, v);
    }

    private void forget(Vma v) {
        vmas.remove(v.start);
        if (v.file instanceof AnonymousShared s) s.detach();
    }

    /** Splits the area containing {@code at} (if any) so that an area starts there. */
    private void splitAt(long at) {
        Vma v = find(at);
        if (v == null || v.start == at) return;
        Vma upper = v.slice(at, v.end);
        v.end = at;
        insert(upper);
    }

    /** Unmaps [addr, addr + length): areas cut, pages released. Returns 0 or -EINVAL. */
    public int unmap(long addr, long length) {
        if ((addr & (PAGE - 1)) != 0 || length <= 0 || addr + length > TASK_SIZE) return -Errno.EINVAL;
        long end = pageUp(addr + length);
        splitAt(addr);
        splitAt(end);
        for (Vma v : new ArrayList<>(vmas.subMap(addr, true, end, false).values())) forget(v);
        dropPages(addr, end);
        return 0;
    }

    /** Clears every PTE in [start, end) and releases the frames they held. */
    private void dropPages(long start, long end) {
        pt.forEach(start, end, (va, pte) -> {
            pool.release(PageTable.frameOf(pte));
            residentPages--;
            tlbStale = true;
            return 0;
        });
    }

    /** Changes the protection of [addr, addr + length); every page must be mapped (else -ENOMEM). */
    public int protect(long addr, long length, int prot) {
        if ((addr & (PAGE - 1)) != 0 || addr + length > TASK_SIZE) return -Errno.EINVAL;
        if (length == 0) return 0;
        long end = pageUp(addr + length);
        for (long a = addr; a < end; ) {
            Vma v = find(a);
            if (v == null) return -Errno.ENOMEM;
            a = v.end;
        }
        splitAt(addr);
        splitAt(end);
        for (Vma v : vmas.subMap(addr, true, end, false).values()) v.prot = prot;
        boolean write = (prot & Vma.PROT_WRITE) != 0, none = (prot & (Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) == 0;
        tlbStale = true;
        for (long va = addr; va < end; va += PAGE) {
            int pte = pt.get(va);
            if (pte == 0) continue;
            int n = pte;
            if (none) {
                if ((pte & PageTable.P) != 0) n = (pte & ~(PageTable.P | PageTable.RW)) | PROT_NONE_HELD;
            } else {
                if ((pte & PROT_NONE_HELD) != 0) n = (pte & ~PROT_NONE_HELD) | PageTable.P | PageTable.US;
                if (!write) n &= ~PageTable.RW;   // a write now faults; a later PROT_WRITE is granted by the fault
            }
            if (n != pte) pt.set(va, n);
        }
        return 0;
    }

    /**
     * mremap: resizes the mapping at {@code old} (which one area must cover for {@code oldSize}) to {@code newSize},
     * in place when it can, else (with {@code mayMove}) at a new address with its pages moved. The address or -errno.
     */
    public long remap(long old, long oldSize, long newSize, boolean mayMove) {
        Vma v = find(old);
        if (v == null || old + oldSize > v.end) return -Errno.EFAULT;
        if (newSize <= oldSize) {
            if (newSize < oldSize) unmap(old + newSize, oldSize - newSize);
            return old;
        }
        if (old + oldSize == v.end && free(v.end, old + newSize)) {
            v.end = old + newSize;
            return old;
        }
        if (!mayMove) return -Errno.ENOMEM;
        long at = findGap(newSize);
        if (at < 0) return -Errno.ENOMEM;
        splitAt(old);
        splitAt(old + oldSize);
        Vma moving = find(old);
        Vma moved = moving.slice(old, old + oldSize);
        moved.start = at;
        moved.end = at + newSize;
        for (long off = 0; off < oldSize; off += PAGE) {
            int pte = pt.get(old + off);
            if (pte != 0 && !pt.set(at + off, pte)) return -Errno.ENOMEM;
            pt.clear(old + off);
        }
        forget(moving);
        insert(moved);
        tlbStale = true;
        return at;
    }

    // ---------------------------------------------------------------- the heap

    /** Sets where the heap starts (after the program's bss): the break starts there. */
    public void setBrkStart(long at) {
        brkStart = pageUp(at);
        brk = brkStart;   // Linux starts the break page-aligned (mm->brk = ELF_PAGEALIGN(elf_brk))
    }

    /** {@code brk(2)}: moves the break to {@code want} if it can; returns the break (new or unchanged). */
    public long setBrk(long want) {
        if (want < brkStart || want >= TASK_SIZE) return brk;
        long oldTop = pageUp(brk), newTop = pageUp(want);
        if (newTop > oldTop) {
            if (!free(oldTop, newTop)) return brk;
            Vma heap = oldTop > brkStart ? find(oldTop - 1) : null;
            if (heap != null && heap.end == oldTop && "[heap]".equals(heap.name)) heap.end = newTop;
            else insert(new Vma(oldTop, newTop, Vma.PROT_READ | Vma.PROT_WRITE, 0, null, 0, "[heap]"));
        } else if (newTop < oldTop) {
            unmap(newTop, oldTop - newTop);
        }
        brk = want;
        return brk;
    }

    // ---------------------------------------------------------------- faults

    /** How a fault ended. */
    public enum Fault { RESOLVED, MAPERR, ACCERR, SIGBUS, OOM }

    /** Page-fault error code bits (the CPU's). */
    public static final int PF_PRESENT = 1, PF_WRITE = 2, PF_USER = 4;

    /**
     * Serves a fault at {@code addr}: {@code write} for a store. {@code fromCpu}: the CPU faulted (the instruction
     * will run again and refill its TLB entry); otherwise a system call touched user memory, and any translation
     * changed here must be flushed.
     */
    public Fault fault(long addr, boolean write, boolean fromCpu) {
        if (!fromCpu) faults.fromKernel++;
        Cgroup cg = cgroup;
        if (cg != null) cg.countFault();
        if (addr < 0 || addr >= TASK_SIZE) {
            faults.fatal++;
            return Fault.MAPERR;
        }
        Vma v = find(addr);
        if (v == null) {
            v = growStack(addr);
            if (v == null) {
                faults.fatal++;
                return Fault.MAPERR;
            }
        }
        if (write ? (v.prot & Vma.PROT_WRITE) == 0 : (v.prot & (Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC)) == 0) {
            faults.fatal++;
            return Fault.ACCERR;
        }
        long page = pageDown(addr);
        int pte = pt.get(page);
        if ((pte & PageTable.P) != 0) {
            if (!write || (pte & PageTable.RW) != 0) return Fault.RESOLVED;   // already fixed (another thread, a stale TLB)
            return breakCow(v, page, pte, fromCpu);
        }
        return fill(v, page, write);
    }

    private Vma growStack(long addr) {
        Map.Entry<Long, Vma> above = vmas.higherEntry(addr);
        if (above == null || !above.getValue().growsDown()) return null;
        Vma s = above.getValue();
        long newStart = pageDown(addr);
        if (s.end - newStart > STACK_LIMIT + PAGE * 32) return null;
        Map.Entry<Long, Vma> below = vmas.lowerEntry(s.start);
        if (below != null && below.getValue().end > newStart - PAGE) return null;   // keep a guard gap
        vmas.remove(s.start);
        s.start = newStart;
        vmas.put(s.start, s);
        faults.stackGrowth++;
        return s;
    }

    private int leafFlags(Vma v, boolean writable) {
        return PageTable.P | PageTable.US | (writable ? PageTable.RW : 0);
    }

    private Fault fill(Vma v, long page, boolean write) {
        int pte = pt.get(page);
        if ((pte & PROT_NONE_HELD) != 0) {   // cannot happen with prot allowing access; be safe
            pt.set(page, (pte & ~PROT_NONE_HELD) | PageTable.P | PageTable.US);
            return Fault.RESOLVED;
        }
        boolean writable = (v.prot & Vma.PROT_WRITE) != 0;
        int frame;
        int flags;
        if (v.file instanceof SharedPages shared && (v.shared() || v.file instanceof AnonymousShared)) {
            frame = shared.frame((v.offset + (page - v.start)) >>> PagePool.PAGE_SHIFT, cgroup);
            if (frame < 0) return Fault.OOM;
            flags = leafFlags(v, writable);
        } else if (v.file == null) {
            frame = pool.allocate(cgroup, MemoryControl.ANON);
            if (frame < 0) return Fault.OOM;
            flags = leafFlags(v, writable);
        } else {
            long fileOffset = v.offset + (page - v.start);
            Object key = v.file.cacheKey();
            if (key != null && (!write || !writable || v.shared())) {
                frame = cache.frame(key, v.file, fileOffset >>> PagePool.PAGE_SHIFT, cgroup);
                if (frame == -1) return Fault.SIGBUS;
                if (frame < 0) return Fault.OOM;
                // A private writable area maps the cached page read-only: the first write copies it.
                flags = v.shared() ? leafFlags(v, writable) : leafFlags(v, false) | (writable ? PageTable.COW : 0);
            } else {
                frame = pool.allocateUninitialised(cgroup, MemoryControl.FILE);
                if (frame < 0) return Fault.OOM;
                if (!v.file.readPage(fileOffset, frameSegment(frame))) {
                    pool.release(frame);
                    return Fault.SIGBUS;
                }
                flags = leafFlags(v, writable);
            }
        }
        if (!pt.set(page, (frame << PagePool.PAGE_SHIFT) | flags)) {
            pool.release(frame);
            return Fault.OOM;
        }
        residentPages++;
        faults.demand++;
        return Fault.RESOLVED;
    }

    private Fault breakCow(Vma v, long page, int pte, boolean fromCpu) {
        int frame = PageTable.frameOf(pte);
        faults.copyOnWrite++;
        if (v.shared() || (pool.references(frame) == 1)) {
            pt.set(page, (pte | PageTable.RW) & ~PageTable.COW);   // the last user of the frame, or a shared area
            return Fault.RESOLVED;
        }
        int copy = pool.allocateUninitialised(cgroup, MemoryControl.ANON);
        if (copy < 0) return Fault.OOM;
        MemorySegment.copy(pool.memory(), (long) frame << PagePool.PAGE_SHIFT, pool.memory(), (long) copy << PagePool.PAGE_SHIFT, PAGE);
        pt.set(page, (copy << PagePool.PAGE_SHIFT) | (pte & 0xFFF & ~PageTable.COW) | PageTable.RW);
        pool.release(frame);
        if (!fromCpu) tlbStale = true;   // the CPU may still read the old frame through its TLB
        return Fault.RESOLVED;
    }

    MemorySegment frameSegment(int frame) {
        return pool.memory().asSlice((long) frame << PagePool.PAGE_SHIFT, PAGE);
    }

    /**
     * The pool offset of user address {@code addr} for a {@code write} or a read by the kernel, faulting the page in as
     * the CPU would; -1 when the program has no such access (EFAULT).
     */
    long translate(long addr, boolean write) {
        if (addr < 0 || addr >= TASK_SIZE) return -1;
        int pte = pt.get(addr);
        if ((pte & PageTable.P) == 0 || (write && (pte & PageTable.RW) == 0)) {
            if (fault(addr, write, false) != Fault.RESOLVED) return -1;
            pte = pt.get(addr);
        }
        return ((long) PageTable.frameOf(pte) << PagePool.PAGE_SHIFT) | (addr & (PAGE - 1));
    }

    // ---------------------------------------------------------------- fork and teardown

    /**
     * A copy of this address space for a forked child: every area, private pages shared copy-on-write (write
     * protection taken from both sides), shared pages shared. Returns null when out of frames.
     */
    public MemoryManager fork() {
        MemoryManager child;
        try {
            child = new MemoryManager(pool, cache, faults, kernelTable, cgroup);
        } catch (popek.linux.abi.SyscallException noDirectory) {
            return null;
        }
        child.brkStart = brkStart;
        child.brk = brk;
        boolean[] ok = {true};
        for (Vma v : vmas.values()) {
            child.insert(v.copy());
            boolean shared = v.shared() || v.file instanceof AnonymousShared;
            pt.forEach(v.start, v.end, (va, pte) -> {
                int keep = pte;
                if (!shared && (pte & (PageTable.RW | PROT_NONE_HELD)) != 0) keep = (pte & ~PageTable.RW) | PageTable.COW;
                if (!child.pt.set(va, keep)) {
                    ok[0] = false;
                } else {
                    pool.retain(PageTable.frameOf(pte));
                    child.residentPages++;
                }
                return keep;
            });
        }
        tlbStale = true;
        if (!ok[0]) {
            child.release();
            return null;
        }
        return child;
    }

    /** Releases every page and page table (exit, or exec replacing the address space). */
    public void release() {
        for (Vma v : new ArrayList<>(vmas.values())) {
            releaseRange(v.start, v.end);
            forget(v);
        }
        pt.destroy();
    }

    private void releaseRange(long start, long end) {
        pt.forEach(start, end, (va, pte) -> {
            pool.release(PageTable.frameOf(pte));
            residentPages--;
            return 0;
        });
    }

    /** The byte at {@code addr} as the program sees it, or -1 (for tests and core dumps; faults the page in). */
    public int peek(long addr) {
        long off = translate(addr, false);
        return off < 0 ? -1 : pool.memory().get(JAVA_BYTE, off) & 0xFF;
    }
}
