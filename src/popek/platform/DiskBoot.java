package popek.platform;

import popek.cpu.BiosStub;
import popek.devices.DiskImage;
import popek.memory.GuestMemory;

/**
 * Booting from a disk as a PC BIOS does, without a BIOS: sector 0 of the boot disk is loaded at 0000:7C00 and entered
 * in real mode with DL = 80h (the first hard disk). What a BIOS would leave in low memory is written here: the real-mode
 * IVT (256 entries, every one pointing at an {@code iret} at F000:FF53, {@link BiosStub}), and an E820-style map at
 * {@link #E820_MAP} for loaders that want one (there is no int 15h to ask). The BIOS data area words and the MP table
 * are written for every boot path, by {@link MachineBuilder}.
 */
public final class DiskBoot {
    /** Where sector 0 goes and where the CPU starts: 0000:7C00. */
    public static final int LOAD_ADDRESS = 0x7C00;
    /** DL at entry: the BIOS drive number of the first hard disk. */
    public static final int BOOT_DRIVE = 0x80;
    /** SS:SP at entry: 0000:7C00, the stack growing down below the boot sector (what most BIOSes leave). */
    public static final int STACK_POINTER = 0x7C00;
    /**
     * The E820-style map: at this physical address (in the EBDA, past the MP table), a 32-bit count of entries, then
     * the entries in int 15h/E820's 20-byte form: base (u64), length (u64), type (u32: 1 usable, 2 reserved).
     */
    public static final int E820_MAP = (int) MemoryMap.EBDA_START + 0x200;
    private static final int MAX_E820 = (0x400 - 0x200 - 4) / 20;
    /** The real-mode IVT: 256 four-byte entries at 0 (IDTR base 0, limit 3FFh at entry). */
    public static final int IVT_LIMIT = 0x3FF;
    private static final int IRET = 0xCF;
    private static final int SIGNATURE = 510;

    private DiskBoot() { }

    /** Loads the boot sector and writes the IVT, the stub and the E820 map; refuses a disk whose sector 0 is not bootable. */
    public static void prepare(GuestMemory ram, DiskImage disk, java.nio.file.Path file) throws BootImageException {
        byte[] sector = new byte[DiskImage.SECTOR];
        disk.read(0, sector);
        if ((sector[SIGNATURE] & 0xFF) != 0x55 || (sector[SIGNATURE + 1] & 0xFF) != 0xAA) {
            throw new BootImageException(file + ": not a boot disk: sector 0 does not end in the boot signature 55 AA");
        }
        ram.write(LOAD_ADDRESS, sector);
        for (int v = 0; v < 256; v++) ram.write32(4L * v, BiosStub.IVT_ENTRY);
        ram.write8(BiosStub.ADDRESS, IRET);
        java.util.List<MemoryMap.Region> regions = MemoryMap.pc(ram.size()).regions();
        int n = Math.min(regions.size(), MAX_E820);
        ram.write32(E820_MAP, n);
        for (int i = 0; i < n; i++) {
            MemoryMap.Region r = regions.get(i);
            int at = E820_MAP + 4 + 20 * i;
            ram.write64(at, r.base());
            ram.write64(at + 8, r.length());
            ram.write32(at + 16, r.type().code);
        }
    }
}
