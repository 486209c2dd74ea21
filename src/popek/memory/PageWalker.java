package popek.memory;

/**
 * Translates guest-linear to guest-physical addresses by walking the guest's own page tables in guest RAM, the way
 * the MMU does (Intel SDM vol. 3, chapter 4): 32-bit paging with 4 KiB and (CR4.PSE) 4 MiB pages, whose PDE bits
 * 20:13 give physical bits 39:32 (PSE-36), and PAE paging with 4 KiB and 2 MiB pages and, with EFER.NXE, the
 * execute-disable bit. Reserved bits set in an entry in use fault with the RSVD bit; A and D are set as the hardware
 * sets them. The VMM uses it whenever it touches guest memory by linear address on the guest's behalf (the IDT, GDT
 * and TSS, the stack frames it pushes when it delivers an interrupt, the instruction bytes it decodes), and the
 * shadow MMU for every TLB miss.
 *
 * <p>The PAE page-directory-pointer entries are read from memory at each walk, as QEMU's MMU reads them, rather than
 * from registers loaded at {@code mov cr3}; {@link #pdptesValid} is the check the CPU makes when it loads them.
 *
 * <p>A failed translation returns {@link #FAULT} and leaves the #PF error code in {@link #faultErrorCode()}.
 * Allocation-free; not thread-safe (one per vCPU).
 */
public final class PageWalker {
    public static final long FAULT = -1;

    /** What the access is, for permission checks and the #PF error code. */
    public static final int READ = 0, WRITE = 1, FETCH = 2;

    /** The virtual CPU's MAXPHYADDR (CPUID 80000008h EAX[7:0] of Unicorn's CPU model): 40 physical address bits. */
    public static final int PHYS_BITS = 40;

    private static final int P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80;
    private static final long NX = 1L << 63;
    /** #PF error code bits: present, write, user, reserved bit, instruction fetch. */
    public static final int ERR_P = 1, ERR_W = 2, ERR_U = 4, ERR_RSVD = 8, ERR_ID = 16;

    /** PAE entries: bits 62:MAXPHYADDR are reserved in every one (bit 63 is XD, or reserved without EFER.NXE). */
    private static final long PAE_HIGH_RESERVED = ~((1L << PHYS_BITS) - 1) & ~NX;
    /** A PAE PDPTE also reserves bits 2:1 (no R/W, U/S) and 8:5, and bit 63 (no XD at this level). */
    private static final long PDPTE_RESERVED = PAE_HIGH_RESERVED | NX | 0x1E6L;
    /** A PAE 2 MiB page's PDE reserves bits 20:13 (bit 12 is PAT). */
    private static final long LARGE_PAE_RESERVED = 0x1FE000L;
    /** A 32-bit 4 MiB page's PDE: bits 20:13 are physical bits 39:32, and bit 21 is reserved (MAXPHYADDR 40). */
    private static final int PSE36_HIGH = 0x1FE000, PSE36_RESERVED = 0x200000;
    private static final long PAE_ADDRESS = ((1L << PHYS_BITS) - 1) & ~0xFFFL;

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
     * The check the CPU makes when it loads the four PAE page-directory-pointer entries from {@code cr3} (at
     * {@code mov cr3} with PAE paging on, and when {@code mov cr0}/{@code mov cr4} turn PAE paging on or change
     * PGE or PSE under it): false if a present one has a reserved bit set, or is not in RAM, which is #GP(0).
     */
    public boolean pdptesValid(int cr3) {
        long base = cr3 & 0xFFFFFFE0L;
        if (!ram.contains(base, 32)) return false;
        for (int i = 0; i < 4; i++) {
            long e = ram.read64(base + 8L * i);
            if ((e & P) != 0 && (e & PDPTE_RESERVED) != 0) return false;
        }
        return true;
    }

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
        boolean nxe = pae && (efer & (1 << 11)) != 0;
        reportFetch = nxe;   // the I/D bit exists only where instruction fetches can fault (NX)
        return pae ? walkPae(cr3, nxe, linear, access, user, wp) : walk32(cr3, cr4, linear, access, user, wp);
    }

    private long walk32(int cr3, int cr4, int linear, int access, boolean user, boolean wp) {
        long pdeAddr = (cr3 & 0xFFFFF000L) | ((linear >>> 22) << 2);
        if (!ram.contains(pdeAddr, 4)) return fault(0, access, user);
        int pde = ram.read32(pdeAddr);
        if ((pde & P) == 0) return fault(0, access, user);
        if ((pde & PS) != 0 && (cr4 & (1 << 4)) != 0) {
            if ((pde & PSE36_RESERVED) != 0) return fault(ERR_P | ERR_RSVD, access, user);
            if (!allowed(pde, pde, access, user, wp)) return fault(ERR_P, access, user);
            int newPde = pde | A | (access == WRITE ? D : 0);
            if (newPde != pde) ram.write32(pdeAddr, newPde);
            leaf(allowed(pde, pde, WRITE, user, wp), (newPde & D) != 0, true);
            return ((long) (pde & PSE36_HIGH) << 19) | (pde & 0xFFC00000L) | (linear & 0x3FFFFF);
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

    private long walkPae(int cr3, boolean nxe, int linear, int access, boolean user, boolean wp) {
        long reserved = nxe ? PAE_HIGH_RESERVED : PAE_HIGH_RESERVED | NX;
        long pdpteAddr = (cr3 & 0xFFFFFFE0L) | (((linear >>> 30) & 3L) << 3);
        if (!ram.contains(pdpteAddr, 8)) return fault(0, access, user);
        long pdpte = ram.read64(pdpteAddr);
        if ((pdpte & P) == 0) return fault(0, access, user);
        if ((pdpte & PDPTE_RESERVED) != 0) return fault(ERR_P | ERR_RSVD, access, user);
        long pdeAddr = (pdpte & PAE_ADDRESS) | (((linear >>> 21) & 0x1FFL) << 3);
        if (!ram.contains(pdeAddr, 8)) return fault(0, access, user);
        long pde = ram.read64(pdeAddr);
        if ((pde & P) == 0) return fault(0, access, user);
        if ((pde & reserved) != 0) return fault(ERR_P | ERR_RSVD, access, user);
        if ((pde & PS) != 0) {
            if ((pde & LARGE_PAE_RESERVED) != 0) return fault(ERR_P | ERR_RSVD, access, user);
            boolean noExec = (pde & NX) != 0;
            if (!allowed((int) pde, (int) pde, access, user, wp) || (access == FETCH && noExec)) {
                return fault(ERR_P, access, user);
            }
            long newPde = pde | A | (access == WRITE ? D : 0);
            if (newPde != pde) ram.write64(pdeAddr, newPde);
            leaf(allowed((int) pde, (int) pde, WRITE, user, wp), (newPde & D) != 0, !noExec);
            return (pde & PAE_ADDRESS & ~0x1FFFFFL) | (linear & 0x1FFFFF);
        }
        long pteAddr = (pde & PAE_ADDRESS) | (((linear >>> 12) & 0x1FFL) << 3);
        if (!ram.contains(pteAddr, 8)) return fault(0, access, user);
        long pte = ram.read64(pteAddr);
        if ((pte & P) == 0) return fault(0, access, user);
        if ((pte & reserved) != 0) return fault(ERR_P | ERR_RSVD, access, user);
        boolean noExec = ((pde | pte) & NX) != 0;
        if (!allowed((int) pde, (int) pte, access, user, wp) || (access == FETCH && noExec)) return fault(ERR_P, access, user);
        if ((pde & A) == 0) ram.write64(pdeAddr, pde | A);
        long newPte = pte | A | (access == WRITE ? D : 0);
        if (newPte != pte) ram.write64(pteAddr, newPte);
        leaf(allowed((int) pde, (int) pte, WRITE, user, wp), (newPte & D) != 0, !noExec);
        return (pte & PAE_ADDRESS) | (linear & 0xFFF);
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
