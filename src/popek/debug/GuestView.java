package popek.debug;

import java.util.ArrayList;
import java.util.List;

import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;

/**
 * Guest memory as a debugger sees it: linear addresses translated through the guest's own page tables without
 * touching them (no accessed or dirty bit set, no privilege check: a debugger reads supervisor pages and writes
 * read-only ones), and physical addresses in RAM. Device memory (the APICs) is neither read nor written: reading a
 * device register has effects. Reads the paging controls from the engine on every call: vCPU thread only.
 */
public final class GuestView {
    /** A translation that does not exist. */
    public static final long UNMAPPED = -1;
    private static final int P = 1, RW = 2, US = 4, PS = 0x80;
    private static final long ADDRESS_52 = 0x000F_FFFF_FFFF_F000L;

    private final Unicorn uc;
    private final GuestMemory ram;

    public GuestView(Unicorn uc, GuestMemory ram) {
        this.uc = uc;
        this.ram = ram;
    }

    /** The physical address that linear address {@code linear} maps to now, or {@link #UNMAPPED}. */
    public long physical(long linear) {
        linear &= 0xFFFFFFFFL;
        int cr0 = uc.reg(X86.CR0);
        if ((cr0 & X86.CR0_PG) == 0) return linear;
        int cr3 = uc.reg(X86.CR3), cr4 = uc.reg(X86.CR4);
        return (cr4 & X86.CR4_PAE) != 0 ? walkPae(cr3, linear) : walk32(cr3, cr4, linear);
    }

    private long walk32(int cr3, int cr4, long linear) {
        long pdeAt = (cr3 & 0xFFFFF000L) + ((linear >>> 22) << 2);
        if (!ram.contains(pdeAt, 4)) return UNMAPPED;
        long pde = ram.read32(pdeAt) & 0xFFFFFFFFL;
        if ((pde & P) == 0) return UNMAPPED;
        if ((pde & PS) != 0 && (cr4 & X86.CR4_PSE) != 0) return (pde & 0xFFC00000L) | (linear & 0x3FFFFF);
        long pteAt = (pde & 0xFFFFF000L) + (((linear >>> 12) & 0x3FF) << 2);
        if (!ram.contains(pteAt, 4)) return UNMAPPED;
        long pte = ram.read32(pteAt) & 0xFFFFFFFFL;
        return (pte & P) == 0 ? UNMAPPED : (pte & 0xFFFFF000L) | (linear & 0xFFF);
    }

    private long walkPae(int cr3, long linear) {
        long pdpteAt = (cr3 & 0xFFFFFFE0L) + ((linear >>> 30) << 3);
        if (!ram.contains(pdpteAt, 8)) return UNMAPPED;
        long pdpte = ram.read64(pdpteAt);
        if ((pdpte & P) == 0) return UNMAPPED;
        long pdeAt = (pdpte & ADDRESS_52) + (((linear >>> 21) & 0x1FF) << 3);
        if (!ram.contains(pdeAt, 8)) return UNMAPPED;
        long pde = ram.read64(pdeAt);
        if ((pde & P) == 0) return UNMAPPED;
        if ((pde & PS) != 0) return (pde & ADDRESS_52 & ~0x1FFFFFL) | (linear & 0x1FFFFF);
        long pteAt = (pde & ADDRESS_52) + (((linear >>> 12) & 0x1FF) << 3);
        if (!ram.contains(pteAt, 8)) return UNMAPPED;
        long pte = ram.read64(pteAt);
        return (pte & P) == 0 ? UNMAPPED : (pte & ADDRESS_52) | (linear & 0xFFF);
    }

    /** Reads up to {@code length} bytes at a linear address; returns how many could be read (it stops at a hole). */
    public int readLinear(long linear, byte[] into, int offset, int length) {
        return copy(linear, true, into, offset, length, false);
    }

    /** Writes up to {@code length} bytes at a linear address; returns how many could be written. */
    public int writeLinear(long linear, byte[] from, int offset, int length) {
        return copy(linear, true, from, offset, length, true);
    }

    /** Reads up to {@code length} bytes of RAM at a physical address; returns how many (0 outside RAM). */
    public int readPhysical(long physical, byte[] into, int offset, int length) {
        return copy(physical, false, into, offset, length, false);
    }

    /** Writes up to {@code length} bytes of RAM at a physical address; returns how many. */
    public int writePhysical(long physical, byte[] from, int offset, int length) {
        return copy(physical, false, from, offset, length, true);
    }

    /** Page by page, so that each page of a linear range is translated on its own. */
    private int copy(long address, boolean linear, byte[] buffer, int offset, int length, boolean write) {
        int done = 0;
        while (done < length) {
            long at = address + done;
            int chunk = (int) Math.min(length - done, 0x1000 - (at & 0xFFF));
            long p = linear ? physical(at) : at;
            if (p == UNMAPPED || !ram.contains(p, chunk)) break;
            if (write) ram.write(p, buffer, offset + done, chunk);
            else ram.read(p, buffer, offset + done, chunk);
            done += chunk;
        }
        return done;
    }

    /** One run of linear pages mapped to consecutive physical pages with the same attributes. */
    public record Mapping(long linear, long physical, long size, boolean writable, boolean user) { }

    /**
     * Every present mapping of the current address space, runs merged (for {@code info tlb}); with paging off, none.
     * At most {@code limit} runs.
     */
    public List<Mapping> mappings(int limit) {
        List<Mapping> out = new ArrayList<>();
        int cr0 = uc.reg(X86.CR0);
        if ((cr0 & X86.CR0_PG) == 0) return out;
        int cr3 = uc.reg(X86.CR3), cr4 = uc.reg(X86.CR4);
        Runs runs = new Runs(out, limit);
        if ((cr4 & X86.CR4_PAE) != 0) {
            for (int i = 0; i < 4 && !runs.full(); i++) {
                long pdpteAt = (cr3 & 0xFFFFFFE0L) + (i << 3);
                if (!ram.contains(pdpteAt, 8)) break;
                long pdpte = ram.read64(pdpteAt);
                if ((pdpte & P) == 0) continue;
                tablePae(pdpte & ADDRESS_52, (long) i << 30, runs);
            }
        } else {
            long dir = cr3 & 0xFFFFF000L;
            for (int i = 0; i < 1024 && !runs.full() && ram.contains(dir, 4096); i++) {
                long pde = ram.read32(dir + 4L * i) & 0xFFFFFFFFL;
                if ((pde & P) == 0) continue;
                long base = (long) i << 22;
                if ((pde & PS) != 0 && (cr4 & X86.CR4_PSE) != 0) {
                    runs.add(base, pde & 0xFFC00000L, 1 << 22, (pde & RW) != 0, (pde & US) != 0);
                    continue;
                }
                long table = pde & 0xFFFFF000L;
                if (!ram.contains(table, 4096)) continue;
                for (int j = 0; j < 1024; j++) {
                    long pte = ram.read32(table + 4L * j) & 0xFFFFFFFFL;
                    if ((pte & P) != 0) {
                        runs.add(base + ((long) j << 12), pte & 0xFFFFF000L, 4096, (pde & pte & RW) != 0, (pde & pte & US) != 0);
                    }
                }
            }
        }
        runs.close();
        return out;
    }

    private void tablePae(long dir, long base, Runs runs) {
        if (!ram.contains(dir, 4096)) return;
        for (int i = 0; i < 512 && !runs.full(); i++) {
            long pde = ram.read64(dir + 8L * i);
            if ((pde & P) == 0) continue;
            long at = base + ((long) i << 21);
            if ((pde & PS) != 0) {
                runs.add(at, pde & ADDRESS_52 & ~0x1FFFFFL, 1 << 21, (pde & RW) != 0, (pde & US) != 0);
                continue;
            }
            long table = pde & ADDRESS_52;
            if (!ram.contains(table, 4096)) continue;
            for (int j = 0; j < 512; j++) {
                long pte = ram.read64(table + 8L * j);
                if ((pte & P) != 0) runs.add(at + ((long) j << 12), pte & ADDRESS_52, 4096, (pde & pte & RW) != 0, (pde & pte & US) != 0);
            }
        }
    }

    /** Merges consecutive pages with the same attributes into one {@link Mapping}. */
    private static final class Runs {
        private final List<Mapping> out;
        private final int limit;
        private long linear = -1, physical, size;
        private boolean writable, user;

        Runs(List<Mapping> out, int limit) {
            this.out = out;
            this.limit = limit;
        }

        boolean full() { return out.size() >= limit; }

        void add(long lin, long phys, long bytes, boolean w, boolean u) {
            if (linear >= 0 && lin == linear + size && phys == physical + size && w == writable && u == user) {
                size += bytes;
                return;
            }
            close();
            linear = lin;
            physical = phys;
            size = bytes;
            writable = w;
            user = u;
        }

        void close() {
            if (linear >= 0 && !full()) out.add(new Mapping(linear, physical, size, writable, user));
            linear = -1;
        }
    }
}
