package popek.platform;

import popek.memory.GuestMemory;

/**
 * The words of the BIOS data area (segment 0x40) that kernels read to size low memory and to find the extended BIOS
 * data area, as a BIOS leaves them: 0x40E the EBDA's segment, 0x413 the KiB of conventional memory below it. Popek
 * runs no BIOS, so it writes them itself before the guest starts (an MP table search starts at the EBDA they name).
 */
final class BiosDataArea {
    static final int EBDA_SEGMENT = 0x40E, BASE_MEMORY_KIB = 0x413;

    private BiosDataArea() { }

    static void write(GuestMemory ram) {
        ram.write16(EBDA_SEGMENT, (int) (MemoryMap.EBDA_START >> 4));
        ram.write16(BASE_MEMORY_KIB, (int) (MemoryMap.EBDA_START >> 10));
    }
}
