package popek.cpu;

import popek.engine.Hooks;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.memory.PageWalker;

/**
 * Shadow paging: Unicorn's own page walker is off (UC_TLB_VIRTUAL) and every TLB miss comes here, where the guest's
 * page tables are walked in Java with the guest's privilege, A and D bits are set as the MMU sets them, and the
 * permissions installed are the guest's own, except that a page is writable only once dirty, so that the first write
 * comes back here to set D. A refused translation leaves a pending #PF that the run loop delivers, since Unicorn
 * raises none itself. This is what full virtualisation builds on: each page of code is seen here before it first
 * runs (a FETCH fill), and each write to a page of code is seen here too.
 *
 * <p>The fill is not told whether the access is the guest's own or one the CPU makes on its behalf (reading the GDT,
 * IDT or TSS at CPL 3, which the MMU always does at supervisor privilege). A CPL-3 fill of a page that holds one of
 * those tables is therefore walked at supervisor privilege; a ring-3 program reading those pages directly is the one
 * case this lets through.
 */
final class ShadowMmu implements Hooks.TlbFill {
    private final Unicorn uc;
    private final GuestMemory ram;
    private final PageWalker walker;
    private final FullVirtualization full;
    private boolean faultPending;
    private int faultErrorCode;

    /** {@code full}: full virtualisation's code discovery, or null (emulate mode). */
    ShadowMmu(Unicorn uc, GuestMemory ram, FullVirtualization full) {
        this.uc = uc;
        this.ram = ram;
        this.walker = new PageWalker(ram);
        this.full = full;
    }

    @Override
    public long fill(long vaddr, int type) {
        vaddr &= 0xFFFFFFFFL;   // a 32-bit linear address (Unicorn can hand one sign-extended: measured for a fetch)
        int cr0 = uc.reg(X86.CR0);
        boolean cpl3 = (uc.selector(X86.CS) & 3) == 3;
        boolean systemTable = cpl3 && holdsSystemTable((int) vaddr);
        long p;
        int perms;
        if ((cr0 & X86.CR0_PG) == 0) {
            p = vaddr;
            perms = READ | WRITE | EXEC;
        } else {
            int cr3 = uc.reg(X86.CR3), cr4 = uc.reg(X86.CR4);
            long efer = (cr4 & X86.CR4_PAE) != 0 ? uc.msr(X86.MSR_EFER) : 0;
            int access = type == X86.MEM_WRITE ? PageWalker.WRITE : type == X86.MEM_FETCH ? PageWalker.FETCH : PageWalker.READ;
            p = walker.translate(cr0, cr3, cr4, efer, (int) vaddr, access, cpl3 && !systemTable);
            if (p == PageWalker.FAULT) {
                faultPending = true;
                faultErrorCode = walker.faultErrorCode();
                return -1;
            }
            perms = READ;
            if (walker.lastExecutable()) perms |= EXEC;
            if (walker.lastWritable() && walker.lastDirty()) perms |= WRITE;
        }
        p &= ~0xFFFL;
        DebugHooks d = debug;
        // There is no guest memory at or above 4 GiB (a PAE or PSE-36 entry can point there): in full mode the shadow
        // pools are, which the guest must never reach.
        if (p >= 1L << 32) p = NO_MEMORY;
        if (full != null) {
            // Code runs from its shadow (kernel or user), execute-only; every other translation may read or write the
            // page but not run it, so that the next fetch from it comes back here. (A fill the CPU makes for a system
            // table at CPL 3 lands in the kernel's TLB, so it counts as kernel.)
            // Real mode (a boot sector, until it sets CR0.PE) runs as it is: it has no privilege levels to protect,
            // its port I/O traps through the hooks as always, and setting PE flushes the TLB, so the first
            // protected-mode fetch of any page comes back here to be scanned.
            if (type == X86.MEM_FETCH) {
                if (!ram.contains(p, 4096)) {
                    // No RAM to run: the engine, handed such a page for a fetch, stops with an exception Popek could
                    // only call internal (measured), where emulate mode's stops as a jump to no memory.
                    missingFetch = p;
                    return -1;
                }
                if ((cr0 & X86.CR0_PE) != 0) {
                    long code = full.codeFetch(vaddr, p, cpl3);
                    return (d == null ? code : d.codePage(vaddr, code, p)) | EXEC;
                }
                full.realModeFetch();
                return d == null ? p | perms : debugFetch(d, vaddr, p, perms);
            }
            // A write to a page with a shadow must come here first, even when a read filled the entry (Unicorn
            // installs every permission a fill returns, and Linux reads the code it is about to patch).
            if (type == X86.MEM_WRITE) full.written(p);
            else if (full.hasShadow(p)) perms &= ~WRITE;
            perms &= ~EXEC;
        } else if (d != null && type == X86.MEM_FETCH) {
            return debugFetch(d, vaddr, p, perms);
        }
        if (d != null) {
            perms = d.dataPermissions(vaddr, p, type == X86.MEM_WRITE, perms);
            if (perms < 0) return -1;
        }
        return p | perms;
    }

    /** A fetch that would run straight from {@code p} (emulate mode, real mode): from the debugger's copy if it has one. */
    private static long debugFetch(DebugHooks d, long vaddr, long p, int perms) {
        long code = d.codePage(vaddr, p, p);
        return code == p ? p | perms : code | EXEC;   // its copy runs execute-only: reads of the page come back here
    }

    /** The debugger to ask about every translation, or null ({@link DebugPort#translateThroughDebugger}). */
    void debug(DebugHooks d) { this.debug = d; }

    private DebugHooks debug;

    /** A guest-physical page nothing is mapped at (far above RAM and the shadow pools). */
    private static final long NO_MEMORY = 0xF_FFFF_F000L;

    /** Does the linear page hold the GDT, LDT, IDT or TSS, which the CPU reads at supervisor privilege? */
    private boolean holdsSystemTable(int page) {
        return overlaps(page, uc.readTable(X86.GDTR), uc.tableLimit())
                || overlaps(page, uc.readTable(X86.IDTR), uc.tableLimit())
                || overlaps(page, uc.readTable(X86.TR), uc.tableLimit())
                || overlaps(page, uc.readTable(X86.LDTR), uc.tableLimit());
    }

    private static boolean overlaps(int page, long base, int limit) {
        long p = page & 0xFFFFF000L;
        return limit > 0 && p <= base + limit && base < p + 4096;
    }

    private long missingFetch = NONE;
    private static final long NONE = -1;

    /**
     * Takes the fetch a fill refused because its page has no RAM: returns that page's guest-physical address, or -1 if
     * none is pending.
     */
    long takeMissingFetch() {
        long p = missingFetch;
        missingFetch = NONE;
        return p;
    }

    /** Takes the fault a refused fill left: returns its #PF error code, or -1 if none is pending. */
    int takeFault() {
        if (!faultPending) return -1;
        faultPending = false;
        return faultErrorCode;
    }
}
