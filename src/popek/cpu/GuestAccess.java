package popek.cpu;

import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.memory.PageWalker;

/**
 * Guest memory as the CPU sees it at a given moment: linear addresses translated through the guest's paging (read
 * from the engine by {@link #refresh}) into guest RAM. A failed translation raises the guest's #PF (CR2 set): what the
 * VMM does on the guest's behalf faults exactly as the CPU would. A physical address outside RAM throws
 * {@link NoMemory}, and the machine stops as it does when the guest's own access goes there.
 */
final class GuestAccess {
    private final Unicorn uc;
    private final GuestMemory ram;
    private final PageWalker walker;
    private final GuestFault fault;
    private final NoMemory noMemory = new NoMemory();
    private int cr0, cr3, cr4;
    private long efer;

    GuestAccess(Unicorn uc, GuestMemory ram, GuestFault fault) {
        this.uc = uc;
        this.ram = ram;
        this.walker = new PageWalker(ram);
        this.fault = fault;
    }

    /**
     * Re-reads the paging controls and forgets the cached translations; call before a series of accesses, and after
     * anything that changes the controls or invalidates TLB entries (mov to CR0/CR3/CR4, invlpg, wrmsr EFER).
     */
    void refresh() {
        java.util.Arrays.fill(tlbTag, 0);
        cr0 = uc.reg(X86.CR0);
        if ((cr0 & X86.CR0_PG) != 0) {
            cr3 = uc.reg(X86.CR3);
            cr4 = uc.reg(X86.CR4);
            efer = (cr4 & X86.CR4_PAE) != 0 ? uc.msr(X86.MSR_EFER) : 0;
        }
    }

    /**
     * A small TLB of the VMM's own, for the accesses emulated instructions make (a pushf, an sgdt): like the CPU's it
     * may keep a translation until the guest flushes it (which full mode sees: every such flush traps), and a write
     * uses an entry only when the page is writable and already dirty, so the walk sets D the first time.
     */
    private static final int TLB = 16;
    private final int[] tlbTag = new int[TLB];          // (page number << 1 | user) + 1; 0 when empty
    private final long[] tlbFrame = new long[TLB];
    private final boolean[] tlbWritable = new boolean[TLB];

    /** Would the CPU accept the PAE page-directory-pointer entries at {@code cr3}? (See {@link PageWalker#pdptesValid}.) */
    boolean pdptesValid(int cr3) { return walker.pdptesValid(cr3); }

    /** Linear to physical, or the guest's #PF. */
    long physical(int linear, int access, boolean user) {
        int page = linear >>> 12;
        int i = page & (TLB - 1);
        int tag = ((page << 1) | (user ? 1 : 0)) + 1;
        if (tlbTag[i] == tag && (access == PageWalker.READ || (access == PageWalker.WRITE && tlbWritable[i]))) {
            return tlbFrame[i] | (linear & 0xFFF);
        }
        long p = walker.translate(cr0, cr3, cr4, efer, linear, access, user);
        if (p == PageWalker.FAULT) {
            uc.setReg(X86.CR2, linear);
            throw fault.raise(Vectors.PF, walker.faultErrorCode());
        }
        if (access != PageWalker.FETCH) {   // (a fetch also checks NX, which an entry does not record)
            tlbTag[i] = tag;
            tlbFrame[i] = p & ~0xFFFL;
            tlbWritable[i] = walker.lastWritable() && walker.lastDirty();
        }
        return p;
    }

    /** Physical address of [linear, linear + size) when it does not cross a page; the caller splits otherwise. */
    private long checked(int linear, int size, int access, boolean user) {
        long p = physical(linear, access, user);
        if (!ram.contains(p, size)) throw noMemory.at(ram.contains(p, 1) ? ram.size() : p, access == PageWalker.WRITE);
        return p;
    }

    private static boolean crossesPage(int linear, int size) { return ((linear & 0xFFF) + size) > 0x1000; }

    int read8(int linear, boolean user) {
        return ram.read8(checked(linear, 1, PageWalker.READ, user));
    }

    int read16(int linear, boolean user) {
        if (crossesPage(linear, 2)) return read8(linear, user) | (read8(linear + 1, user) << 8);
        return ram.read16(checked(linear, 2, PageWalker.READ, user));
    }

    int read32(int linear, boolean user) {
        if (crossesPage(linear, 4)) return read16(linear, user) | (read16(linear + 2, user) << 16);
        return ram.read32(checked(linear, 4, PageWalker.READ, user));
    }

    long read64(int linear, boolean user) {
        return (read32(linear, user) & 0xFFFFFFFFL) | ((long) read32(linear + 4, user) << 32);
    }

    void write8(int linear, int value, boolean user) {
        ram.write8(checked(linear, 1, PageWalker.WRITE, user), value);
    }

    void write16(int linear, int value, boolean user) {
        if (crossesPage(linear, 2)) {
            probeWrite(linear, 2, user);
            write8(linear, value, user);
            write8(linear + 1, value >>> 8, user);
            return;
        }
        ram.write16(checked(linear, 2, PageWalker.WRITE, user), value);
    }

    void write32(int linear, int value, boolean user) {
        if (crossesPage(linear, 4)) {
            probeWrite(linear, 4, user);
            for (int i = 0; i < 4; i++) ram.write8(checked(linear + i, 1, PageWalker.WRITE, user), value >>> (8 * i));
            return;
        }
        ram.write32(checked(linear, 4, PageWalker.WRITE, user), value);
    }

    /**
     * Checks that [linear, linear + size) is writable before anything is written, so a write that will fault leaves
     * memory untouched, as the CPU does. A write that crosses into the next page faults there, at that page's first
     * byte, as QEMU reports it in CR2 (the part of the access in that page faults).
     */
    void probeWrite(int linear, int size, boolean user) {
        checked(linear, 1, PageWalker.WRITE, user);
        if (crossesPage(linear, size)) checked((linear + size - 1) & ~0xFFF, 1, PageWalker.WRITE, user);
    }

    /**
     * The same for a frame of {@code size} bytes of dwords the CPU pushes below stack pointer {@code sp} (SP wrapping
     * as {@code spMask} says, 0xFFFF on a 16-bit stack) in the segment at {@code base}: checked in the order they are
     * pushed, so that a fault names the first push that fails in CR2, as QEMU (which pushes them one by one) reports
     * it. A push in a page an earlier push was checked in needs no walk of its own.
     */
    void probePushes(int base, int sp, int size, int spMask, boolean user) {
        int checkedPage = -1;
        for (int off = 4; off <= size; off += 4) {
            int at = base + ((sp - off) & spMask);
            if (at >>> 12 == checkedPage && !crossesPage(at, 4)) continue;
            probeWrite(at, 4, user);
            checkedPage = at >>> 12;
        }
    }

    /**
     * Up to {@code max} instruction bytes at a linear address, for naming a faulting instruction; stops early at a
     * page that is not mapped. Never throws.
     */
    int fetch(int linear, byte[] into, int max) {
        for (int n = 0; n < max; n++) {
            long p = walker.translate(cr0, cr3, cr4, efer, linear + n, PageWalker.FETCH, false);
            if (p == PageWalker.FAULT || !ram.contains(p, 1)) return n;
            into[n] = (byte) ram.read8(p);
        }
        return max;
    }
}
