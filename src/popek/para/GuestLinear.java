package popek.para;

import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.memory.PageWalker;

/**
 * A hypercall's pointers: linear addresses the guest passes, translated through its own page tables (read once per
 * call from the engine) with supervisor privilege. A failure is a result, never an exception, so a bad pointer costs
 * nothing and the hypercall answers -PV_EFAULT.
 */
final class GuestLinear {
    static final long BAD = -1;

    private final Unicorn uc;
    private final GuestMemory ram;
    private final PageWalker walker;
    private int cr0, cr3, cr4;
    private long efer;

    GuestLinear(Unicorn uc, GuestMemory ram) {
        this.uc = uc;
        this.ram = ram;
        this.walker = new PageWalker(ram);
    }

    /** Reads the paging controls: call once per hypercall, before translating. */
    void refresh() {
        cr0 = uc.reg(X86.CR0);
        if ((cr0 & X86.CR0_PG) != 0) {
            cr3 = uc.reg(X86.CR3);
            cr4 = uc.reg(X86.CR4);
            efer = (cr4 & X86.CR4_PAE) != 0 ? uc.msr(X86.MSR_EFER) : 0;
        }
    }

    /** The physical address of linear {@code linear} for {@code length} bytes not crossing a page, or {@link #BAD}. */
    long physical(int linear, int length, boolean write) {
        long p = walker.translate(cr0, cr3, cr4, efer, linear, write ? PageWalker.WRITE : PageWalker.READ, false);
        if (p == PageWalker.FAULT || !ram.contains(p, length)) return BAD;
        return p;
    }

    /** Is every byte of [linear, linear + length) readable? */
    boolean readable(int linear, int length) {
        int at = linear;
        long left = length;
        while (left > 0) {
            int chunk = (int) Math.min(left, 4096 - (at & 0xFFF));
            if (physical(at, chunk, false) == BAD) return false;
            at += chunk;
            left -= chunk;
        }
        return true;
    }

    /** A 32-bit word at a linear address (already checked readable). */
    int read32(int linear) {
        if ((linear & 0xFFF) <= 4092) return ram.read32(physical(linear, 4, false));
        int v = 0;
        for (int i = 0; i < 4; i++) v |= read8(linear + i) << (8 * i);
        return v;
    }

    /** {@code words} 32-bit words from {@code linear} (already checked readable) into {@code into}: one walk per page. */
    void read32s(int linear, int[] into, int words) {
        for (int i = 0; i < words;) {
            int at = linear + 4 * i;
            int wholeInPage = (4096 - (at & 0xFFF)) / 4;
            if (wholeInPage == 0) {   // a word that straddles two pages
                into[i++] = read32(at);
                continue;
            }
            long p = physical(at, 4, false);
            int n = Math.min(wholeInPage, words - i);
            for (int k = 0; k < n; k++) into[i + k] = ram.read32(p + 4L * k);
            i += n;
        }
    }

    int read8(int linear) { return ram.read8(physical(linear, 1, false)); }
}
