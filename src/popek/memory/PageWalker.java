package popek.memory;

/**
 * Translates guest-linear to guest-physical addresses by walking the guest's own page tables in guest RAM, the way
 * the MMU does: 32-bit paging with 4 KiB and (CR4.PSE) 4 MiB pages, and PAE paging. Sets the Accessed and Dirty bits
 * as the hardware would. The VMM uses it whenever it touches guest memory by linear address on the guest's behalf
 * (the IDT, GDT and TSS, the stack frames it pushes when it delivers an interrupt, the instruction bytes it decodes).
 *
 * <p>A failed translation returns {@link #FAULT} and leaves the #PF error code in {@link #faultErrorCode()}.
 * Allocation-free; not thread-safe (one per vCPU).
 */
public final class PageWalker {
    public static final long FAULT = -1;

    /** What the access is, for permission checks and the #PF error code. */
    public static final int READ = 0, WRITE = 1, FETCH = 2;

    private static final int P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80;
    private static final long NX = 1L << 63;
    private static final int ERR_P = 1, ERR_W = 2, ERR_U = 4, ERR_RSVD = 8, ERR_ID = 16;

    private final GuestMemory ram;
    private int faultErrorCode;
    private boolean reportFetch;
    private boolean writable, dirty, executable;

    public PageWalker(GuestMemory ram) { this.ram = ram; }

    /**
     * After a successful translation: whether a write at the same privilege would be allowed, whether the page is
     * already dirty, and whether it may be executed. Shadow paging grants write access only to dirty pages, so the
     * first write comes back to set D, as the MMU does.
     */
    public boolean lastWritable() { return writable; }

    public boolean lastDirty() { return dirty; }

    public boolean lastExecutable() { return executable; }

    /** The #PF error code of the last failed translation (P, W/R, U/S, RSVD, I/D bits). */
    public int faultErrorCode() { return faultErrorCode; }

    /**
     * @param cr0 CR0 (PG, WP matter), cr3 CR3, cr4 CR4 (PSE, PAE matter), efer EFER (NXE matters for PAE)
     * @param user true when the access is made at CPL 3 (user privilege checks apply)
     * @return the physical address, or {@link #FAULT}
     */
    public long translate(int cr0, int cr3, int cr4, long efer, int linear, int access, boolean user) {
        if ((cr0 & 0x80000000) == 0) {
            leaf(true, true, true);
            return linear & 0xFFFFFFFFL;
        }
        boolean wp = (cr0 & (1 << 16)) != 0;
        boolean pae = (cr4 & (1 << 5)) != 0;
        reportFetch = pae && (efer & (1 << 11)) != 0;   // the I/D bit exists only where instruction fetches can fault (NX)
        return pae
                ? walkPae(cr3, cr4, (efer & (1 << 11)) != 0, linear, access, user, wp)
                : walk32(cr3, cr4, linear, access, user, wp);
    }

    private long walk32(int cr3, int cr4, int linear, int access, boolean user, boolean wp) {
        long pdeAddr = (cr3 & 0xFFFFF000L) | ((linear >>> 22) << 2);
        if (!ram.contains(pdeAddr, 4)) return fault(0, access, user);
        int pde = ram.read32(pdeAddr);
        if ((pde & P) == 0) return fault(0, access, user);
        if ((pde & PS) != 0 && (cr4 & (1 << 4)) != 0) {
            if (!allowed(pde, pde, access, user, wp)) return fault(ERR_P, access, user);
            ram.write32(pdeAddr, pde | A | (access == WRITE ? D : 0));
            leaf(allowed(pde, pde, WRITE, user, wp), (pde & D) != 0 || access == WRITE, true);
            // PSE-36 would add bits 13..20 as physical bits 32..39; guest RAM never reaches 4 GiB, so they must be 0.
            return (pde & 0xFFC00000L) | (linear & 0x3FFFFF);
        }
        long pteAddr = (pde & 0xFFFFF000L) | (((linear >>> 12) & 0x3FF) << 2);
        if (!ram.contains(pteAddr, 4)) return fault(0, access, user);
        int pte = ram.read32(pteAddr);
        if ((pte & P) == 0) return fault(0, access, user);
        if (!allowed(pde, pte, access, user, wp)) return fault(ERR_P, access, user);
        if ((pde & A) == 0) ram.write32(pdeAddr, pde | A);
        int newPte = pte | A | (access == WRITE ? D : 0);
        if (newPte != pte) ram.write32(pteAddr, newPte);
        leaf(allowed(pde, pte, WRITE, user, wp), (newPte & D) != 0, true);
        return (pte & 0xFFFFF000L) | (linear & 0xFFF);
    }

    private long walkPae(int cr3, int cr4, boolean nxe, int linear, int access, boolean user, boolean wp) {
        long pdpteAddr = (cr3 & 0xFFFFFFE0L) | (((linear >>> 30) & 3L) << 3);
        if (!ram.contains(pdpteAddr, 8)) return fault(0, access, user);
        long pdpte = ram.read64(pdpteAddr);
        if ((pdpte & P) == 0) return fault(0, access, user);
        long pdeAddr = (pdpte & 0xFFFFFFFFF000L) | (((linear >>> 21) & 0x1FFL) << 3);
        if (!ram.contains(pdeAddr, 8)) return fault(0, access, user);
        long pde = ram.read64(pdeAddr);
        if ((pde & P) == 0) return fault(0, access, user);
        if (!nxe && (pde & NX) != 0) return fault(ERR_P | ERR_RSVD, access, user);
        if ((pde & PS) != 0) {
            if (!allowed((int) pde, (int) pde, access, user, wp) || (access == FETCH && (pde & NX) != 0)) {
                return fault(ERR_P, access, user);
            }
            ram.write64(pdeAddr, pde | A | (access == WRITE ? D : 0));
            leaf(allowed((int) pde, (int) pde, WRITE, user, wp), (pde & D) != 0 || access == WRITE, (pde & NX) == 0);
            return (pde & 0xFFFFFFE00000L) | (linear & 0x1FFFFF);
        }
        long pteAddr = (pde & 0xFFFFFFFFF000L) | (((linear >>> 12) & 0x1FFL) << 3);
        if (!ram.contains(pteAddr, 8)) return fault(0, access, user);
        long pte = ram.read64(pteAddr);
        if ((pte & P) == 0) return fault(0, access, user);
        if (!nxe && (pte & NX) != 0) return fault(ERR_P | ERR_RSVD, access, user);
        boolean noExec = ((pde | pte) & NX) != 0;
        if (!allowed((int) pde, (int) pte, access, user, wp) || (access == FETCH && noExec)) return fault(ERR_P, access, user);
        if ((pde & A) == 0) ram.write64(pdeAddr, pde | A);
        long newPte = pte | A | (access == WRITE ? D : 0);
        if (newPte != pte) ram.write64(pteAddr, newPte);
        leaf(allowed((int) pde, (int) pte, WRITE, user, wp), (newPte & D) != 0, !noExec);
        return (pte & 0xFFFFFFFFF000L) | (linear & 0xFFF);
    }

    private void leaf(boolean w, boolean d, boolean x) {
        writable = w;
        dirty = d;
        executable = x;
    }

    /** U/S and R/W are the AND of both levels; supervisor writes ignore R/W unless CR0.WP. */
    private static boolean allowed(int upper, int leaf, int access, boolean user, boolean wp) {
        if (user && ((upper & leaf & US) == 0)) return false;
        if (access == WRITE && (user || wp) && ((upper & leaf & RW) == 0)) return false;
        return true;
    }

    private long fault(int bits, int access, boolean user) {
        faultErrorCode = bits | (access == WRITE ? ERR_W : 0) | (user ? ERR_U : 0) | (access == FETCH && reportFetch ? ERR_ID : 0);
        return FAULT;
    }
}
