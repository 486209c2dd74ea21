package popek.fuzz.devices;

import java.util.Random;

import popek.para.PvAbi;

/**
 * Random hypercalls and ring contents for para mode: every hypercall number (and numbers past the page's, through
 * the port), arguments on the edges (addresses inside and outside RAM, unaligned, huge counts), trap tables and MMU
 * update lists of random entries, and the console and block rings' indices and request slots set to random values.
 * Block requests read only into the read area and write only from the marker or zero area, and no hypercall's
 * argument sends Popek's writes into either ({@link GuestLayout}), so the disk check holds whatever the guest asks.
 */
final class ParaOps {
    private final Random r;
    private final Code c;

    ParaOps(Random r, Code c) {
        this.r = r;
        this.c = c;
    }

    /** The set-up a para driver makes first: the callback, both rings, a timer; each part now and then left out. */
    void setUp() {
        if (r.nextInt(4) != 0) hypercall(PvAbi.HC_SET_CALLBACK, 0x08, GuestLayout.STUB_CALLBACK, 0, 0, 0);
        if (r.nextInt(4) != 0) hypercall(PvAbi.HC_RING_ATTACH, PvAbi.RING_CONSOLE, GuestLayout.CONSOLE_RING, 0, 0, 0);
        if (r.nextInt(4) != 0) hypercall(PvAbi.HC_RING_ATTACH, PvAbi.RING_BLOCK, GuestLayout.BLOCK_RING, 0, 0, 0);
        if (r.nextBoolean()) hypercall(PvAbi.HC_SET_TIMER, 1_000_000 + r.nextInt(50_000_000), 0, 0, 0, 0);
    }

    void next() {
        switch (r.nextInt(8)) {
            case 0, 1 -> blockRing();
            case 2 -> consoleRing();
            case 3 -> trapTable();
            case 4 -> mmuUpdates();
            default -> randomHypercall();
        }
    }

    /** {@code call hypercall_page + 32 * nr} with EBX, ECX, EDX, ESI, EDI; or, for numbers past the page, {@code in eax, 0xE0}. */
    private void hypercall(int nr, int ebx, int ecx, int edx, int esi, int edi) {
        c.movImm(3, ebx).movImm(1, ecx).movImm(2, edx).movImm(6, esi).movImm(7, edi);
        if (nr >= 0 && nr < PvAbi.SLOTS) c.call(GuestLayout.HYPERCALL_PAGE + PvAbi.SLOT_BYTES * nr);
        else c.movImm(0, nr).raw(0xE5, PvAbi.HYPERCALL_PORT);
    }

    private int small() { return new int[] {0, 1, 2, 31, 32, 33, 128, 129, 4096, 4097, -1, r.nextInt(64)}[r.nextInt(12)]; }

    /** An address no Popek write may be sent to the marker, zero or read area or the code through: rings, tables, nowhere. */
    private int harmless() {
        return new int[] {GuestLayout.CONSOLE_RING, GuestLayout.BLOCK_RING, GuestLayout.ARGS, GuestLayout.PAGE_TABLE + 8 * r.nextInt(256),
            GuestLayout.RAM, GuestLayout.RAM - 4, 0xF0000000, -1, -4096, GuestLayout.BLOCK_RING + 1 + r.nextInt(4095),
            GuestLayout.SHARED_INFO}[r.nextInt(11)];
    }

    /** An address outside RAM, or straddling its end. */
    private int nowhere() { return new int[] {GuestLayout.RAM, GuestLayout.RAM - 4, 0xF0000000, -1, -4096}[r.nextInt(5)]; }

    /** Where a ring may be attached: its own page, a page of markers or zeros (read as requests: all refused), or nowhere. */
    private int ringPage(boolean block) {
        int own = block ? GuestLayout.BLOCK_RING : GuestLayout.CONSOLE_RING;
        return new int[] {own, own, GuestLayout.MARKER, GuestLayout.ZERO + 0x10000, GuestLayout.RAM, GuestLayout.RAM - 4096, -4096,
            own + 8}[r.nextInt(8)];
    }

    private void randomHypercall() {
        int nr = r.nextInt(10) == 0 ? (r.nextBoolean() ? r.nextInt() : 14 + r.nextInt(200)) : r.nextInt(14);
        switch (nr) {
            case PvAbi.HC_EXIT -> {
                if (r.nextInt(10) != 0) nr = PvAbi.HC_YIELD;   // it ends the case: rare
                hypercall(nr, r.nextInt(256), 0, 0, 0, 0);
            }
            case PvAbi.HC_CONSOLE_WRITE -> hypercall(nr, r.nextBoolean() ? GuestLayout.MARKER : harmless(),
                    new int[] {0, 1, 80, 4096, 4097, -1, r.nextInt(5000)}[r.nextInt(7)], 0, 0, 0);
            case PvAbi.HC_SET_CALLBACK -> hypercall(nr, new int[] {0x08, 0, 0x10, 0xFFFF, 0x0B, r.nextInt(0x10000)}[r.nextInt(6)],
                    r.nextBoolean() ? GuestLayout.STUB_CALLBACK : new int[] {0xF0000000, GuestLayout.RAM, -1}[r.nextInt(3)], 0, 0, 0);
            case PvAbi.HC_BLOCK -> hypercall(r.nextInt(4) == 0 ? nr : PvAbi.HC_YIELD, 0, 0, 0, 0, 0);
            case PvAbi.HC_RING_ATTACH -> {
                int kind = r.nextInt(5) == 0 ? small() : r.nextInt(2);
                hypercall(nr, kind, ringPage(kind == 1), 0, 0, 0);
            }
            case PvAbi.HC_SET_TIMER -> hypercall(nr, new int[] {0, 1, 1_000_000, r.nextInt(), -1}[r.nextInt(5)],
                    r.nextInt(4) == 0 ? r.nextInt() : 0, 0, 0, 0);
            case PvAbi.HC_SET_TRAP_TABLE -> trapTable();   // its tables only from ARGS: an entry could send a trap into data
            case PvAbi.HC_MMU_UPDATE -> mmuUpdates();      // its lists only from ARGS: a ptr could point into the marker area
            case PvAbi.HC_NEW_BASEPTR, PvAbi.HC_TLB_FLUSH -> hypercall(nr, r.nextBoolean() ? r.nextInt() : harmless(), 0, 0, 0, 0);
            default -> hypercall(nr, r.nextBoolean() ? small() : harmless(), small(), r.nextInt(), r.nextInt(), r.nextInt());
        }
    }

    /** Request slots and indices in the block ring, then BLOCK_SUBMIT. */
    private void blockRing() {
        int ring = GuestLayout.BLOCK_RING;
        for (int i = r.nextInt(4); i >= 0; i--) {
            int slot = ring + 0x40 + 32 * r.nextInt(32);
            int op = r.nextInt(6) == 0 ? r.nextInt(256) : r.nextInt(3);
            int sectors = new int[] {1, 1, 2, 8, 128, 0, 129, 0xFFFF, r.nextInt(130)}[r.nextInt(9)];
            int buffer = op == PvAbi.BLK_READ
                    ? new int[] {GuestLayout.READ, GuestLayout.READ + 512 * r.nextInt(64), GuestLayout.RAM - 512, -512, GuestLayout.RAM}[r.nextInt(5)]
                    : new int[] {GuestLayout.MARKER, GuestLayout.MARKER + 512 * r.nextInt(64), GuestLayout.ZERO, GuestLayout.RAM - 512,
                        GuestLayout.RAM - 4096 * 3, -512}[r.nextInt(6)];
            long sector = new long[] {0, 1, 63, 64, 65, r.nextInt(70), -1L, 1L << 40}[r.nextInt(8)];
            c.store(slot + PvAbi.REQ_ID, 4, r.nextInt()).store(slot + PvAbi.REQ_OP, 1, op).store(slot + PvAbi.REQ_SECTORS, 2, sectors)
                    .store(slot + PvAbi.REQ_BUFFER, 4, buffer).store(slot + PvAbi.REQ_SECTOR, 4, (int) sector)
                    .store(slot + PvAbi.REQ_SECTOR + 4, 4, (int) (sector >>> 32));
        }
        index(ring + PvAbi.BLK_REQ_PROD);
        if (r.nextInt(3) == 0) index(ring + new int[] {PvAbi.BLK_REQ_CONS, PvAbi.BLK_RSP_PROD, PvAbi.BLK_RSP_CONS}[r.nextInt(3)]);
        hypercall(PvAbi.HC_BLOCK_SUBMIT, 0, 0, 0, 0, 0);
    }

    /** A ring index: one more, a few more, a ring or more ahead, behind, or anything. */
    private void index(int address) {
        int delta = new int[] {1, 1, 2, 5, 32, 33, 2048, -1, r.nextInt()}[r.nextInt(9)];
        c.load(address, 4).raw(0x05).imm32(delta).raw(0xA3).imm32(address);   // mov eax, [a]; add eax, delta; mov [a], eax
    }

    private void consoleRing() {
        int ring = GuestLayout.CONSOLE_RING;
        for (int i = r.nextInt(8); i > 0; i--) c.store(ring + 0x100 + r.nextInt(2048), 1, r.nextInt(256));
        index(ring + new int[] {PvAbi.CON_OUT_PROD, PvAbi.CON_OUT_PROD, PvAbi.CON_OUT_CONS, PvAbi.CON_IN_PROD, PvAbi.CON_IN_CONS}[r.nextInt(5)]);
        hypercall(PvAbi.HC_CONSOLE_NOTIFY, 0, 0, 0, 0, 0);
    }

    /** A trap table of random entries (gates to the stubs or nowhere), then SET_TRAP_TABLE with a count on the edges. */
    private void trapTable() {
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            int at = GuestLayout.ARGS + PvAbi.TRAP_INFO_BYTES * i;
            int eip = r.nextBoolean() ? GuestLayout.STUB_IRET : new int[] {GuestLayout.STUB_ERROR, 0xF0000000, GuestLayout.RAM}[r.nextInt(3)];
            c.store(at, 1, r.nextInt(256)).store(at + 1, 1, r.nextInt(8)).store(at + 2, 2, r.nextBoolean() ? 0x08 : r.nextInt(0x10000))
                    .store(at + 4, 4, eip);
        }
        hypercall(PvAbi.HC_SET_TRAP_TABLE, r.nextInt(4) != 0 ? GuestLayout.ARGS : nowhere(),
                r.nextInt(3) == 0 ? small() : n, 0, 0, 0);
    }

    /** MMU updates of random values to the page-table area (or outside RAM), then MMU_UPDATE. */
    private void mmuUpdates() {
        int n = r.nextInt(5);
        for (int i = 0; i < n; i++) {
            int at = GuestLayout.ARGS + 0x400 + PvAbi.MMU_UPDATE_BYTES * i;
            int ptr = r.nextInt(4) == 0 ? new int[] {GuestLayout.RAM, -4, GuestLayout.PAGE_TABLE + 1, GuestLayout.RAM - 2}[r.nextInt(4)]
                    : GuestLayout.PAGE_TABLE + 4 * r.nextInt(512);
            c.store(at, 4, ptr).store(at + 4, 4, r.nextInt());
        }
        hypercall(PvAbi.HC_MMU_UPDATE, r.nextInt(4) != 0 ? GuestLayout.ARGS + 0x400 : nowhere(), r.nextInt(3) == 0 ? small() : n, 0, 0, 0);
    }
}
