package popek.fuzz;

/**
 * Where everything of a generated case lives in guest-physical memory (4 MiB of RAM, identity-mapped whenever paging
 * is on). Everything real-mode code needs (its IVT, handlers, stack, code and the instruction-length map) is below
 * 64 KiB, so real-mode code runs with CS = 0 and the handlers find it with DS = 0.
 */
final class Layout {
    private Layout() { }

    static final long RAM = 4L << 20;

    /** The real-mode interrupt vector table (IDTR base 0, limit 3FFh in real mode). */
    static final int IVT = 0;
    /** The handlers' log: event count, aborted flag, then {@link #LOG_MAX} entries of 16 bytes. */
    static final int LOG = 0x500, LOG_COUNT = LOG, LOG_ABORTED = LOG + 4, LOG_ENTRIES = LOG + 0x10, LOG_ENTRY = 16;
    static final int LOG_MAX = 48;
    /** Scratch words the mode-switch pieces keep ESP and SS in while in real mode. */
    static final int SAVED_ESP = 0xA00, SAVED_SS = 0xA04;
    static final int GDT = 0x1000, GDT_LIMIT = 0x100 - 1;
    static final int LDT = 0x1800, LDT_LIMIT = 4 * 8 - 1;
    static final int IDT = 0x2000;
    /** The main TSS, its I/O bitmap right after the 104-byte TSS, and a second TSS for ltr. */
    static final int TSS = 0x3000, IO_BITMAP = TSS + 0x68, TSS_LIMIT = 0x68 + 8192, TSS2 = 0x5800;
    static final int HANDLERS = 0x6000, HANDLERS_END = 0x7000;
    /** Real-mode stack (SS = 0): SP starts here and grows down. */
    static final int REAL_STACK_TOP = 0x7F00;
    /** The generated code, and the length of the instruction starting at each of its bytes (0: no instruction). */
    static final int CODE = 0x8000, CODE_END = 0xC000, LENGTHS = 0xC000;
    /** Data the generated code reads and writes; pages with special mappings are at its top. */
    static final int DATA = 0x10000, DATA_END = 0x20000;
    /** Special pages of the data region (under paging): not present, read-only, supervisor-only, no-execute, alias. */
    static final int HOLE_PAGE = 0x1F000, READ_ONLY_PAGE = 0x1E000, SUPERVISOR_PAGE = 0x1D000, NX_PAGE = 0x1C000,
            ALIAS_PAGE = 0x1B000;
    /** The alias page maps this code page: writes through it change code. */
    static final int ALIASED_CODE_PAGE = 0xB000;
    static final int KSTACK_TOP = 0x30000, USTACK_TOP = 0x38000;
    /** Page tables: 32-bit directory and its table for 0-4 MiB; the PSE directory; PAE PDPT, directory, table. */
    static final int PD32 = 0x40000, PT32 = 0x41000, PD_PSE = 0x42000, PDPT = 0x43000, PAE_PD = 0x44000,
            PAE_PT = 0x45000, PAE_PD_LARGE = 0x46000, PDPT_LARGE = 0x47000;
}
