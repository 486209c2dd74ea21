package popek.platform.multiboot;

import java.nio.charset.StandardCharsets;

import popek.memory.GuestMemory;
import popek.platform.BootImageException;
import popek.platform.MemoryMap;

/**
 * The Multiboot information structure and what it points to, written into a fixed low-memory boot area that no kernel
 * may load over:
 * <pre>
 *   0x8000            a GDT of three entries: null, 0x08 flat 32-bit code, 0x10 flat data (Multiboot leaves GDTR
 *                     undefined; these are the selectors QEMU's loader leaves, so a kernel that reloads a segment
 *                     register before its own lgdt still works)
 *   0x8018 – 0x9000   initial stack (ESP = 0x9000; Multiboot leaves ESP undefined, but kernels that push before
 *                     setting their own stack then still work, as they do under GRUB)
 *   0x9000            multiboot_info (116 bytes, fields as in the specification; unused fields 0)
 *   0x9080            memory map: 24-byte entries {size = 20, base_addr u64, length u64, type u32}
 *   then              boot_loader_name "Popek\0"
 *   then              command line, NUL-terminated, up to the end of the area
 *   0x10000           end of the boot area
 * </pre>
 * The area lies in conventional memory below 640 KiB, away from the real-mode IVT and BIOS data area (0 – 0x500)
 * and from the 1 MiB where Multiboot kernels load.
 */
public final class MultibootInfo {
    /** Low end of the boot area: the initial stack's limit. */
    public static final long BOOT_AREA_START = 0x8000;
    /** The info structure's address (EBX), also the initial ESP: the stack grows down from here. */
    public static final long INFO_ADDRESS = 0x9000;
    /** End (exclusive) of the boot area. */
    public static final long BOOT_AREA_END = 0x10000;

    /** The GDT at entry: its address and limit, and the selectors CS and the data segments hold. */
    public static final long GDT_ADDRESS = BOOT_AREA_START;
    public static final int GDT_LIMIT = 3 * 8 - 1, CODE_SELECTOR = 0x08, DATA_SELECTOR = 0x10;

    /** Bytes of the 0.6.96 structure, through the framebuffer fields. */
    public static final int INFO_SIZE = 116;
    private static final long MMAP_ADDRESS = INFO_ADDRESS + 0x80;
    /** Bytes per memory-map entry including its leading size field, which counts the 20 bytes after it. */
    public static final int MMAP_ENTRY_SIZE = 24;
    public static final String BOOT_LOADER_NAME = "Popek";

    // Which fields are valid, in the info structure's flags word.
    public static final int INFO_MEMORY = 1;
    public static final int INFO_CMDLINE = 1 << 2;
    public static final int INFO_MODULES = 1 << 3;
    public static final int INFO_MEMORY_MAP = 1 << 6;
    public static final int INFO_BOOT_LOADER_NAME = 1 << 9;

    // Field offsets in the info structure.
    static final int FLAGS = 0, MEM_LOWER = 4, MEM_UPPER = 8, CMDLINE = 16, MODS_COUNT = 20, MODS_ADDR = 24;
    static final int MMAP_LENGTH = 44, MMAP_ADDR = 48, BOOT_LOADER_NAME_ADDR = 64;

    private MultibootInfo() {}

    /**
     * Clears the boot area and writes the info structure for map and cmdline into it.
     *
     * @return the address just past the last byte written
     */
    static long write(GuestMemory ram, MemoryMap map, String cmdline, String name) throws BootImageException {
        if (cmdline.indexOf('\0') >= 0) throw new BootImageException(name + ": the command line contains a NUL character, which would cut it short");
        byte[] cmdlineBytes = cmdline.getBytes(StandardCharsets.UTF_8);
        long mmapLength = (long) map.regions().size() * MMAP_ENTRY_SIZE;
        long nameAddress = MMAP_ADDRESS + mmapLength;
        long cmdlineAddress = nameAddress + BOOT_LOADER_NAME.length() + 1;
        long room = BOOT_AREA_END - cmdlineAddress - 1;
        if (cmdlineBytes.length > room) {
            throw new BootImageException(String.format(
                    "%s: the command line is %d bytes; at most %d fit in the boot information area", name, cmdlineBytes.length, room));
        }

        ram.fill(BOOT_AREA_START, BOOT_AREA_END - BOOT_AREA_START, (byte) 0);
        ram.write64(GDT_ADDRESS + CODE_SELECTOR, 0x00CF9A000000FFFFL);
        ram.write64(GDT_ADDRESS + DATA_SELECTOR, 0x00CF92000000FFFFL);
        long at = MMAP_ADDRESS;
        for (MemoryMap.Region r : map.regions()) {
            ram.write32(at, MMAP_ENTRY_SIZE - 4);
            ram.write64(at + 4, r.base());
            ram.write64(at + 12, r.length());
            ram.write32(at + 20, r.type().code);
            at += MMAP_ENTRY_SIZE;
        }
        ram.writeCString(nameAddress, BOOT_LOADER_NAME);
        ram.write(cmdlineAddress, cmdlineBytes);
        ram.write8(cmdlineAddress + cmdlineBytes.length, 0);

        ram.write32(INFO_ADDRESS + FLAGS, INFO_MEMORY | INFO_CMDLINE | INFO_MODULES | INFO_MEMORY_MAP | INFO_BOOT_LOADER_NAME);
        ram.write32(INFO_ADDRESS + MEM_LOWER, (int) map.lowerKib());
        ram.write32(INFO_ADDRESS + MEM_UPPER, (int) map.upperKib());
        ram.write32(INFO_ADDRESS + CMDLINE, (int) cmdlineAddress);
        // Bit 3 with no modules: a kernel that looks for an initrd finds an explicit "none" instead of a missing field.
        ram.write32(INFO_ADDRESS + MODS_COUNT, 0);
        ram.write32(INFO_ADDRESS + MODS_ADDR, 0);
        ram.write32(INFO_ADDRESS + MMAP_LENGTH, (int) mmapLength);
        ram.write32(INFO_ADDRESS + MMAP_ADDR, (int) MMAP_ADDRESS);
        ram.write32(INFO_ADDRESS + BOOT_LOADER_NAME_ADDR, (int) nameAddress);
        return cmdlineAddress + cmdlineBytes.length + 1;
    }
}
