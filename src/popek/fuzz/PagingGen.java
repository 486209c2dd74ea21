package popek.fuzz;

import java.util.random.RandomGenerator;

import popek.fuzz.Asm.Label;
import popek.fuzz.Asm.Mem;
import popek.fuzz.Asm.Reg;
import popek.fuzz.GenState.Paging;

import static popek.fuzz.Layout.*;
import static popek.fuzz.Operands.EAX;
import static popek.fuzz.Operands.ECX;

/**
 * Paging: turned on with 32-bit, PSE (4 MiB pages) or PAE tables (4 KiB or 2 MiB pages), off again, switched; the
 * special pages touched (not present, read-only with and without CR0.WP, supervisor-only from ring 3, no-execute);
 * a page-table entry changed and flushed with invlpg, used, and put back; EFER.NXE toggled.
 */
final class PagingGen {
    private PagingGen() { }

    private static final int P = 1, RW = 2, US = 4;

    static Piece next(RandomGenerator r, GenState s) {
        if (s.cpl == 3) return touch(r, s);
        if (s.paging == Paging.OFF) return enable(r, s, Paging.values()[1 + r.nextInt(4)]);
        return switch (r.nextInt(10)) {
            case 0 -> disable(s);
            case 1 -> enable(r, s, Paging.values()[1 + r.nextInt(4)]);
            case 2, 3 -> editPte(r, s);
            case 4 -> {
                int bit = r.nextBoolean() ? 16 : 31;   // WP, or PG off and on
                yield new Piece("cr0.WP toggle", e -> e.a.op(0x0F, 0x20, 0xC0)
                        .rm(32, new Reg(EAX), 6, 0x81).immAfter(4, 1 << 16).op(0x0F, 0x22, 0xC0));
            }
            case 5 -> {
                s.nxe = !s.nxe;
                yield new Piece("EFER.NXE toggle", e -> e.a.movImm(32, ECX, 0xC0000080).op(0x0F, 0x32)
                        .rm(32, new Reg(EAX), 6, 0x81).immAfter(4, 1 << 11).op(0x0F, 0x30));
            }
            case 6 -> new Piece("cr3 reload", e -> e.a.op(0x0F, 0x20, 0xD8).op(0x0F, 0x22, 0xD8));
            default -> touch(r, s);
        };
    }

    private static int cr3(Paging p) {
        return switch (p) {
            case BITS32 -> PD32;
            case PSE -> PD_PSE;
            case PAE -> PDPT;
            default -> PDPT_LARGE;
        };
    }

    static Piece enable(RandomGenerator r, GenState s, Paging p) {
        boolean wasOn = s.paging != Paging.OFF;
        s.paging = p;
        boolean pae = p == Paging.PAE || p == Paging.PAE_LARGE;
        int cr4Set = (pae ? 1 << 5 : 0) | (p == Paging.PSE || r.nextBoolean() ? 1 << 4 : 0);
        boolean wp = r.nextBoolean(), jump = r.nextBoolean();
        return new Piece("paging on: " + p + (wp ? " WP" : ""), e -> {
            Asm a = e.a;
            if (wasOn) a.op(0x0F, 0x20, 0xC0).rm(32, new Reg(EAX), 4, 0x81).immAfter(4, 0x7FFFFFFF).op(0x0F, 0x22, 0xC0);
            a.op(0x0F, 0x20, 0xE0).rm(32, new Reg(EAX), 4, 0x81).immAfter(4, ~0x30)
                    .rm(32, new Reg(EAX), 1, 0x81).immAfter(4, cr4Set).op(0x0F, 0x22, 0xE0);
            a.movImm(32, EAX, cr3(p)).op(0x0F, 0x22, 0xD8);
            a.op(0x0F, 0x20, 0xC0).rm(32, new Reg(EAX), 1, 0x81).immAfter(4, 0x80000000 | (wp ? 1 << 16 : 0))
                    .op(0x0F, 0x22, 0xC0);
            if (jump) {
                Label l = a.label();
                a.jmpShort(l);
                a.bind(l);
            }
        });
    }

    static Piece disable(GenState s) {
        s.paging = Paging.OFF;
        return new Piece("paging off", e -> e.a.op(0x0F, 0x20, 0xC0).rm(32, new Reg(EAX), 4, 0x81).immAfter(4, 0x7FFFFFFF)
                .op(0x0F, 0x22, 0xC0));
    }

    /** A load, store or call at one of the special pages. */
    private static Piece touch(RandomGenerator r, GenState s) {
        int page = new int[] {HOLE_PAGE, READ_ONLY_PAGE, SUPERVISOR_PAGE, NX_PAGE, ALIAS_PAGE}[r.nextInt(5)];
        int off = r.nextInt(0x1000) & ~3;
        int kind = r.nextInt(page == NX_PAGE ? 3 : 2);
        int v = r.nextInt();
        return new Piece(String.format("%s page 0x%x+0x%x", kind == 0 ? "read" : kind == 1 ? "write" : "call", page, off), e -> {
            if (kind == 0) e.a.rm(32, Mem.abs(page + off), EAX, 0x8B).end();
            else if (kind == 1) e.a.rm(32, Mem.abs(page + off), 0, 0xC7).immAfter(4, v);
            else e.a.movImm(32, EAX, page).op(0xFF, 0xD0);   // call eax: the page starts with a ret
        });
    }

    /** Changes a data page's entry (not present, read-only, supervisor, another frame), flushes it, uses it, puts it back. */
    private static Piece editPte(RandomGenerator r, GenState s) {
        boolean pae = s.paging == Paging.PAE;
        if (s.paging != Paging.BITS32 && !pae) return touch(r, s);
        int page = DATA + 0x1000 * r.nextInt(8);
        int table = pae ? PAE_PT : PT32, size = pae ? 8 : 4;
        int entryAt = table + (page >>> 12) * size;
        int frame = r.nextBoolean() ? page : DATA + 0x1000 * r.nextInt(8);
        int attrs = new int[] {0, P | US, P | RW, P | RW | US, P | RW | US | 0x60}[r.nextInt(5)];
        int original = page | P | RW | US;
        boolean store = r.nextBoolean(), flushBack = r.nextInt(4) != 0;
        int off = r.nextInt(0x1000) & ~3;
        return new Piece(String.format("pte of 0x%x = 0x%x", page, frame | attrs), e -> {
            Asm a = e.a;
            a.movImm(16, EAX, SystemTables.KDATA).op(0x8E, 0xD8);
            a.rm(32, Mem.abs(entryAt), 0, 0xC7).immAfter(4, frame | attrs);
            a.rm(0, Mem.abs(page), 7, 0x0F, 0x01).end();                       // invlpg
            if (store) a.rm(32, Mem.abs(page + off), 0, 0xC7).immAfter(4, 0x5EED0000 | off);
            else a.rm(32, Mem.abs(page + off), EAX, 0x8B).end();
            a.rm(32, Mem.abs(entryAt), 0, 0xC7).immAfter(4, original);
            if (flushBack) a.rm(0, Mem.abs(page), 7, 0x0F, 0x01).end(); else a.op(0x0F, 0x20, 0xD8).op(0x0F, 0x22, 0xD8);
        });
    }
}
