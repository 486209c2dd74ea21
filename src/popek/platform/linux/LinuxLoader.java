package popek.platform.linux;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import popek.memory.GuestMemory;
import popek.platform.BootImageException;
import popek.platform.InputFile;
import popek.platform.MemoryMap;
import popek.platform.MemorySize;

/**
 * Loads a Linux x86 kernel (a bzImage) by the 32-bit boot protocol (Documentation/arch/x86/boot.rst, protocol 2.02
 * and later), as a boot loader that jumps straight to the protected-mode entry point does (QEMU's -kernel, Firecracker):
 * the setup header is read and checked, the protected-mode kernel is loaded at 1 MiB, the zero page (boot_params) is
 * built with the setup header, the command line, the initrd's place and an E820 map, and a GDT with the flat
 * __BOOT_CS (0x10) and __BOOT_DS (0x18) the protocol asks for.
 *
 * <p>Each check that fails is one clear error: not a bzImage (no 0xAA55 or "HdrS"), a protocol older than 2.02 or a
 * kernel not loaded high, a setup larger than the file, a kernel or initrd that does not fit in RAM below its limit.
 */
public final class LinuxLoader {
    private LinuxLoader() { }

    // Offsets in the setup header and the zero page (boot_params).
    static final int SETUP_SECTS = 0x1F1, BOOT_FLAG = 0x1FE, HEADER = 0x202, VERSION = 0x206, TYPE_OF_LOADER = 0x210,
            LOADFLAGS = 0x211, CODE32_START = 0x214, RAMDISK_IMAGE = 0x218, RAMDISK_SIZE = 0x21C, CMD_LINE_PTR = 0x228,
            INITRD_ADDR_MAX = 0x22C, CMDLINE_SIZE = 0x238, E820_ENTRIES = 0x1E8, E820_TABLE = 0x2D0, JUMP = 0x200;
    static final int LOADED_HIGH = 0x01;
    /** Where Popek puts things below 1 MiB: the GDT, the zero page, the command line. */
    public static final int GDT = 0x6000, ZERO_PAGE = 0x7000, CMDLINE = 0x20000;
    public static final int BOOT_CS = 0x10, BOOT_DS = 0x18;
    private static final long KERNEL_AT = MemoryMap.HIGH_MEMORY;
    private static final int MAX_E820 = 128;

    /** The loaded kernel and where it starts: EIP, ESI (the zero page), and the GDT to load. */
    public record LinuxBoot(long entry, int zeroPage, int gdt, int gdtLimit, int protocol, long initrdAt, long initrdSize,
                            String commandLine) { }

    public static LinuxBoot load(GuestMemory ram, Path kernel, Path initrd, String commandLine) throws BootImageException {
        // Neither can be larger than RAM; the exact room for each is checked once the header is read.
        byte[] image = read(kernel, "kernel", ram.size());
        byte[] rd = initrd == null ? null : read(initrd, "initrd", ram.size());
        return load(ram, image, kernel.getFileName().toString(), rd, commandLine);
    }

    private static byte[] read(Path p, String what, long ramSize) throws BootImageException {
        try {
            return InputFile.read(p, what, ramSize, "guest RAM (" + MemorySize.format(ramSize) + ")");
        } catch (java.nio.channels.ClosedByInterruptException e) {
            throw new BootImageException(p + ": reading it was interrupted", e);
        }
    }

    public static LinuxBoot load(GuestMemory ram, byte[] image, String name, byte[] initrd, String commandLine)
            throws BootImageException {
        if (image.length < 0x250 || u16(image, BOOT_FLAG) != 0xAA55 || u32(image, HEADER) != 0x53726448) {
            throw new BootImageException(name + ": not a Linux bzImage (no boot sector signature 0xAA55 and \"HdrS\" setup header)");
        }
        int protocol = u16(image, VERSION);
        if (protocol < 0x0202) {
            throw new BootImageException(String.format("%s: boot protocol %d.%02d is too old: Popek needs 2.02 or later",
                    name, protocol >> 8, protocol & 0xFF));
        }
        if ((image[LOADFLAGS] & LOADED_HIGH) == 0) {
            throw new BootImageException(name + ": a zImage (loaded low): Popek boots only bzImages, which load at 1 MiB");
        }
        int setupSects = image[SETUP_SECTS] & 0xFF;
        if (setupSects == 0) setupSects = 4;
        int setupBytes = (setupSects + 1) * 512;
        if (setupBytes >= image.length) {
            throw new BootImageException(String.format("%s: its setup is %d bytes, but the file is only %d", name, setupBytes, image.length));
        }
        int kernelBytes = image.length - setupBytes;
        if (!ram.contains(KERNEL_AT, kernelBytes)) {
            throw new BootImageException(String.format("%s: the %d KiB kernel does not fit in %d MiB of RAM above 1 MiB",
                    name, kernelBytes >> 10, ram.size() >> 20));
        }
        ram.write(KERNEL_AT, image, setupBytes, kernelBytes);

        // The zero page: zeroed, then the setup header as the image has it (from 0x1F1 to the end of the header).
        ram.fill(ZERO_PAGE, 4096, (byte) 0);
        int headerEnd = Math.min(image.length, 0x202 + (image[JUMP + 1] & 0xFF) + 2);   // the jump at 0x200 skips the header
        headerEnd = Math.max(headerEnd, 0x250);
        ram.write(ZERO_PAGE + SETUP_SECTS, image, SETUP_SECTS, headerEnd - SETUP_SECTS);
        ram.write8(ZERO_PAGE + TYPE_OF_LOADER, 0xFF);   // "undefined" loader

        // The command line.
        long maxCmdline = protocol >= 0x0206 ? Integer.toUnsignedLong(u32(image, CMDLINE_SIZE)) : 255;
        byte[] cmd = commandLine.getBytes(StandardCharsets.US_ASCII);
        if (cmd.length > maxCmdline) {
            throw new BootImageException(String.format("the command line is %d bytes; this kernel takes at most %d", cmd.length, maxCmdline));
        }
        ram.writeCString(CMDLINE, commandLine);
        ram.write32(ZERO_PAGE + CMD_LINE_PTR, CMDLINE);

        // The initrd: as high as RAM and the kernel's limit allow, page-aligned, above the kernel.
        long initrdAt = 0;
        if (initrd != null) {
            long limit = protocol >= 0x0203 ? Integer.toUnsignedLong(u32(image, INITRD_ADDR_MAX)) : 0x37FFFFFFL;
            long top = Math.min(ram.size(), limit + 1);
            initrdAt = (top - initrd.length) & ~0xFFFL;
            if (initrd.length == 0 || initrdAt < KERNEL_AT + kernelBytes) {
                throw new BootImageException(String.format("the %d KiB initrd does not fit between the kernel and %s",
                        initrd.length >> 10, top == ram.size() ? "the end of RAM" : String.format("the kernel's limit %#x", limit)));
            }
            ram.write(initrdAt, initrd);
            ram.write32(ZERO_PAGE + RAMDISK_IMAGE, (int) initrdAt);
            ram.write32(ZERO_PAGE + RAMDISK_SIZE, initrd.length);
        }

        // The E820 map.
        var regions = MemoryMap.pc(ram.size()).regions();
        int n = Math.min(regions.size(), MAX_E820);
        for (int i = 0; i < n; i++) {
            var r = regions.get(i);
            int at = ZERO_PAGE + E820_TABLE + 20 * i;
            ram.write64(at, r.base());
            ram.write64(at + 8, r.length());
            ram.write32(at + 16, r.type().code);
        }
        ram.write8(ZERO_PAGE + E820_ENTRIES, n);

        // A GDT with the protocol's flat __BOOT_CS and __BOOT_DS.
        ram.write64(GDT, 0);
        ram.write64(GDT + 8, 0);
        ram.write64(GDT + BOOT_CS, 0x00CF9A000000FFFFL);
        ram.write64(GDT + BOOT_DS, 0x00CF92000000FFFFL);

        long entry = Integer.toUnsignedLong(u32(image, CODE32_START));
        if (entry == 0) entry = KERNEL_AT;
        return new LinuxBoot(entry, ZERO_PAGE, GDT, 4 * 8 - 1, protocol, initrdAt, initrd == null ? 0 : initrd.length, commandLine);
    }

    private static int u16(byte[] b, int at) { return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8; }

    private static int u32(byte[] b, int at) { return u16(b, at) | u16(b, at + 2) << 16; }
}
