package popek.fuzz;

import static popek.fuzz.Layout.*;

/**
 * The fixed world every case runs in: a GDT with one descriptor of each kind a generator wants to load (good ones,
 * and ones that must fault), an LDT, an IDT whose gates lead to the recording handlers, a TSS with an I/O bitmap, and
 * page tables for 32-bit, PSE and PAE paging (identity maps with a few special pages). The selector constants name
 * the GDT's entries.
 */
final class SystemTables {
    private SystemTables() { }

    // GDT selectors (index << 3).
    static final int KCODE = 0x08, KDATA = 0x10, UCODE = 0x18, UDATA = 0x20, TSS_SEL = 0x28, TSS2_SEL = 0x30,
            LDT_SEL = 0x38, KCODE16 = 0x40, KDATA16 = 0x48, KCODE_XO = 0x50, KCODE_CONF = 0x58, KDATA_RO = 0x60,
            KDATA_SMALL = 0x68, KDATA_DOWN = 0x70, KDATA_NP = 0x78, KDATA_BASED = 0x80, UCODE_CONF = 0x88,
            CALL_GATE = 0x90, DATA_DPL1 = 0x98, CODE_DPL1 = 0xA0, KDATA_NA = 0xA8, KCODE_NA = 0xB0,
            SYSTEM_RESERVED = 0xB8, UDATA_RO = 0xC0, KCODE16_NA = 0xC8, KDATA16_BASED = 0xD0;
    /** Selectors past the last used entry are zero descriptors; past the limit they are out of the table. */
    static final int FIRST_EMPTY = 0xD8, PAST_LIMIT = GDT_LIMIT + 1;
    // LDT selectors (TI set).
    static final int LDT_DATA = 0x04, LDT_CODE = 0x0C, LDT_UDATA = 0x17, LDT_NP = 0x1C;

    /** Every GDT or LDT selector a generator may pick from, good and bad. */
    static final int[] SELECTORS = {KCODE, KDATA, UCODE | 3, UDATA | 3, TSS_SEL, TSS2_SEL, LDT_SEL, KCODE16, KDATA16,
        KCODE_XO, KCODE_CONF, KDATA_RO, KDATA_SMALL, KDATA_DOWN, KDATA_NP, KDATA_BASED, UCODE_CONF | 3, CALL_GATE | 3,
        DATA_DPL1 | 1, CODE_DPL1 | 1, KDATA_NA, KCODE_NA, SYSTEM_RESERVED, UDATA_RO | 3, KCODE16_NA, KDATA16_BASED,
        FIRST_EMPTY, PAST_LIMIT, LDT_DATA, LDT_CODE, LDT_UDATA, LDT_NP, 0, 3, UDATA, KDATA | 3, UCODE, 0xFFF8};

    /** Data selectors that load into DS..GS at CPL 0 without a fault (and keep flat addressing for the handlers' sake). */
    static final int[] GOOD_DATA = {KDATA, KDATA_NA, UDATA | 3, DATA_DPL1 | 1, LDT_DATA, KDATA_BASED, KDATA_SMALL,
        KDATA_RO, KDATA_DOWN, KDATA16, KCODE, KCODE_CONF};

    // Descriptor access bytes: P DPL S type.
    private static final int CODE_RA = 0x9B, DATA_WA = 0x93;
    /** Flags nibbles: G and D/B; only D/B; none. */
    private static final int G32 = 0xC, B32 = 0x4, NONE = 0;

    static long descriptor(int base, int limit, int access, int flags) {
        long d = (limit & 0xFFFFL) | (long) (base & 0xFFFF) << 16 | (long) ((base >>> 16) & 0xFF) << 32
                | (long) (access & 0xFF) << 40 | (long) ((limit >>> 16) & 0xF) << 48 | (long) (flags & 0xF) << 52
                | (long) ((base >>> 24) & 0xFF) << 56;
        return d;
    }

    static long gate(int selector, int offset, int access) {
        return (offset & 0xFFFFL) | (long) selector << 16 | (long) (access & 0xFF) << 40 | (long) (offset >>> 16) << 48;
    }

    /** Writes the GDT, LDT, TSSs and page tables. {@code accessedClear}: a few descriptors start with A clear. */
    static void write(Image m) {
        int g = GDT;
        m.put64(g + KCODE, descriptor(0, 0xFFFFF, CODE_RA, G32));
        m.put64(g + KDATA, descriptor(0, 0xFFFFF, DATA_WA, G32));
        m.put64(g + UCODE, descriptor(0, 0xFFFFF, 0xFB, G32));
        m.put64(g + UDATA, descriptor(0, 0xFFFFF, 0xF3, G32));
        m.put64(g + TSS_SEL, descriptor(TSS, TSS_LIMIT, 0x8B, NONE));   // busy: it is TR at entry
        m.put64(g + TSS2_SEL, descriptor(TSS2, 0x67, 0x89, NONE));
        m.put64(g + LDT_SEL, descriptor(LDT, LDT_LIMIT, 0x82, NONE));
        m.put64(g + KCODE16, descriptor(0, 0xFFFF, CODE_RA, NONE));
        m.put64(g + KDATA16, descriptor(0, 0xFFFF, DATA_WA, NONE));
        m.put64(g + KCODE_XO, descriptor(0, 0xFFFFF, 0x99, G32));
        m.put64(g + KCODE_CONF, descriptor(0, 0xFFFFF, 0x9F, G32));
        m.put64(g + KDATA_RO, descriptor(0, 0xFFFFF, 0x91, G32));
        m.put64(g + KDATA_SMALL, descriptor(0, 0x1FFFF, DATA_WA, B32));
        m.put64(g + KDATA_DOWN, descriptor(0, 0x0FFFF, 0x97, B32));
        m.put64(g + KDATA_NP, descriptor(0, 0xFFFFF, 0x13, G32));
        m.put64(g + KDATA_BASED, descriptor(DATA, 0xFFFF, DATA_WA, B32));
        m.put64(g + UCODE_CONF, descriptor(0, 0xFFFFF, 0xFF, G32));
        m.put64(g + CALL_GATE, gate(KCODE, CODE, 0xEC));
        m.put64(g + DATA_DPL1, descriptor(0, 0xFFFFF, 0xB3, G32));
        m.put64(g + CODE_DPL1, descriptor(0, 0xFFFFF, 0xBB, G32));
        m.put64(g + KDATA_NA, descriptor(0, 0xFFFFF, 0x92, G32));
        m.put64(g + KCODE_NA, descriptor(0, 0xFFFFF, 0x9A, G32));
        m.put64(g + SYSTEM_RESERVED, descriptor(0, 0xFFFF, 0x80, NONE));
        m.put64(g + UDATA_RO, descriptor(0, 0xFFFFF, 0xF1, G32));
        m.put64(g + KCODE16_NA, descriptor(0, 0xFFFF, 0x9A, NONE));
        m.put64(g + KDATA16_BASED, descriptor(DATA, 0xFFFF, DATA_WA, NONE));

        m.put64(LDT, descriptor(0, 0xFFFFF, DATA_WA, G32));
        m.put64(LDT + 8, descriptor(0, 0xFFFFF, CODE_RA, G32));
        m.put64(LDT + 16, descriptor(0, 0xFFFFF, 0xF3, G32));
        m.put64(LDT + 24, descriptor(0, 0xFFFFF, 0x13, G32));

        // TSS: ring-0 stack, and an I/O bitmap that opens a few ports to ring 3 (0x80, 0x2F0-0x2F3, 0x3D4).
        m.put32(TSS + 4, KSTACK_TOP);
        m.put32(TSS + 8, KDATA);
        m.put16(TSS + 0x66, 0x68);
        for (int i = 0; i < 8192; i++) m.put8(IO_BITMAP + i, 0xFF);
        m.put8(IO_BITMAP + 8192, 0xFF);
        for (int port : new int[] {0x80, 0x2F0, 0x2F1, 0x2F2, 0x2F3, 0x3D4}) {
            m.put8(IO_BITMAP + port / 8, m.get8(IO_BITMAP + port / 8) & ~(1 << (port % 8)));
        }
        m.put32(TSS2 + 4, KSTACK_TOP);
        m.put32(TSS2 + 8, KDATA);
        m.put16(TSS2 + 0x66, 0x68);   // no bitmap inside its limit

        pageTables(m);
        m.put8(NX_PAGE, 0xC3);   // a ret, for calls into the no-execute page
    }

    private static final int P = 1, RW = 2, US = 4, PS = 0x80;
    private static final long NX = 1L << 63;

    /** The attributes of the 4 KiB page at {@code page} in the identity maps. */
    private static long pte(int page, boolean pae) {
        long attrs = switch (page) {
            case HOLE_PAGE -> 0;
            case READ_ONLY_PAGE -> P | US;
            case SUPERVISOR_PAGE -> P | RW;
            case NX_PAGE -> P | RW | US | (pae ? NX : 0);
            default -> P | RW | US;
        };
        int frame = page == ALIAS_PAGE ? ALIASED_CODE_PAGE : page;
        return attrs == 0 ? 0 : frame | attrs;
    }

    private static void pageTables(Image m) {
        for (int i = 0; i < 1024; i++) m.put32(PT32 + 4 * i, (int) pte(i << 12, false));
        m.put32(PD32, PT32 | P | RW | US);
        m.put32(PD_PSE, P | RW | US | PS);
        // PAE: 0-2 MiB through a table of 4 KiB pages, 2-4 MiB as one large page.
        m.put64(PDPT, PAE_PD | P);
        m.put64(PAE_PD, PAE_PT | P | RW | US);
        m.put64(PAE_PD + 8, 0x200000 | P | RW | US | PS);
        for (int i = 0; i < 512; i++) m.put64(PAE_PT + 8 * i, pte(i << 12, true));
        m.put64(PDPT_LARGE, PAE_PD_LARGE | P);
        m.put64(PAE_PD_LARGE, P | RW | US | PS);
        m.put64(PAE_PD_LARGE + 8, 0x200000 | P | RW | US | PS);
    }
}
