package popek.para;

/**
 * Popek's para-virtual ABI 1.0, the host's copy of {@code guest-images/lib/pv.h} (which is the guest author's
 * reference and says what each number means): the ELF note, hypercall numbers, errors, event bits, and the byte
 * offsets of the shared-info page and the two ring pages. A change here is a change of the ABI: change both.
 */
public final class PvAbi {
    private PvAbi() { }

    public static final String NOTE_NAME = "Popek";
    public static final int NOTE_PARA = 0x50560001;
    public static final int VERSION = 0x00010000;

    /** The hypercall page: 32-byte slots, one per number; the port its entry instruction reads. */
    public static final int SLOT_BYTES = 32, SLOTS = 128, HYPERCALL_PORT = 0xE0;

    public static final int HC_VERSION = 0, HC_EXIT = 1, HC_CONSOLE_WRITE = 2, HC_SET_CALLBACK = 3,
            HC_SET_TRAP_TABLE = 4, HC_MMU_UPDATE = 5, HC_TLB_FLUSH = 6, HC_NEW_BASEPTR = 7, HC_SET_TIMER = 8,
            HC_YIELD = 9, HC_BLOCK = 10, HC_RING_ATTACH = 11, HC_CONSOLE_NOTIFY = 12, HC_BLOCK_SUBMIT = 13,
            HC_COUNT = 14;

    /** Errors, returned negated in EAX (Linux's numbers). */
    public static final int EPERM = 1, EIO = 5, EFAULT = 14, EINVAL = 22, ENOSYS = 38;

    public static final int FLUSH_ALL = 0xFFFFFFFF;

    public static final int EV_TIMER = 1, EV_CONSOLE = 2, EV_BLOCK = 4;

    public static final int RING_CONSOLE = 0, RING_BLOCK = 1;

    /** struct pv_shared_info. */
    public static final int SI_UPCALL_PENDING = 0x00, SI_UPCALL_MASK = 0x01, SI_PENDING = 0x04, SI_TIME_NS = 0x08,
            SI_ABI = 0x10, SI_RAM_BYTES = 0x14, SI_DISK_SECTORS = 0x18, SI_RING_ERRORS = 0x20, SI_TSC_KHZ = 0x24;

    /** struct pv_trap_info: 8 bytes; flags bits 0-1 DPL, bit 2 mask events on entry. */
    public static final int TRAP_INFO_BYTES = 8, TRAP_MASK_EVENTS = 0x04, MAX_TRAP_INFO = 256;

    /** struct pv_mmu_update: 8 bytes; at most this many per call. */
    public static final int MMU_UPDATE_BYTES = 8, MAX_MMU_UPDATES = 4096;

    /** Largest HC_CONSOLE_WRITE. */
    public static final int MAX_CONSOLE_WRITE = 4096;

    /** struct pv_console_ring. */
    public static final int CON_OUT_PROD = 0x0, CON_OUT_CONS = 0x4, CON_IN_PROD = 0x8, CON_IN_CONS = 0xC,
            CON_OUT = 0x100, CON_OUT_SIZE = 2048, CON_IN = 0x900, CON_IN_SIZE = 1024;

    /** struct pv_block_ring: indices, then request slots (32 bytes) and response slots (16 bytes). */
    public static final int BLK_REQ_PROD = 0x0, BLK_REQ_CONS = 0x4, BLK_RSP_PROD = 0x8, BLK_RSP_CONS = 0xC,
            BLK_REQ = 0x40, BLK_REQ_BYTES = 32, BLK_RSP = 0x440, BLK_RSP_BYTES = 16,
            BLK_RING_SIZE = 32, BLK_MAX_SECTORS = 128;
    /** Offsets inside a request slot and a response slot. */
    public static final int REQ_ID = 0, REQ_OP = 8, REQ_SECTORS = 10, REQ_BUFFER = 12, REQ_SECTOR = 16,
            RSP_ID = 0, RSP_STATUS = 8, RSP_OP = 12;
    public static final int BLK_READ = 0, BLK_WRITE = 1, BLK_FLUSH = 2;
}
