package popek.cpu;

/**
 * Where a booted disk's real-mode IVT points before the guest installs handlers of its own. Popek runs no BIOS: the
 * platform fills every IVT entry with F000:FF53, the address of a real BIOS's dummy handler, and puts an {@code iret}
 * there. The vCPU recognises an event through such an entry as a call into the missing BIOS (see
 * {@code ModeExits.intoMissingBios}); an external interrupt through one just returns.
 */
public final class BiosStub {
    public static final int SEGMENT = 0xF000, OFFSET = 0xFF53;
    /** The entry as the 32-bit word the IVT holds: offset in the low half, segment in the high half. */
    public static final int IVT_ENTRY = SEGMENT << 16 | OFFSET;
    /** The stub's physical address. */
    public static final int ADDRESS = (SEGMENT << 4) + OFFSET;
    /** The status a BIOS returns in AH, with CF set, for a function it does not have. */
    public static final int AH_UNSUPPORTED = 0x86;

    private BiosStub() { }
}
