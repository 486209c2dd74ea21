package popek.platform.multiboot;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

import popek.memory.GuestMemory;
import popek.platform.BootImageException;
import popek.platform.InputFile;
import popek.platform.MemoryMap;
import popek.platform.MemorySize;

/**
 * Loads a Multiboot 1 kernel into guest RAM, as GRUB or QEMU's {@code -kernel} would, and says how to start it.
 * Everything is checked before the first byte is written, so a refused image leaves RAM untouched.
 *
 * <p>The kernel's command line is its file name, then a space and the user's arguments if there are any: GRUB and
 * QEMU both pass the kernel's path first, and kernels written for them skip that first word. Popek passes the file
 * name rather than the host path, so what the guest sees does not depend on where on the host the image lies.
 */
public final class MultibootLoader {
    private MultibootLoader() {}

    /**
     * Reads image, loads it into ram and writes the boot information.
     *
     * @param arguments the user's kernel arguments ({@code --cmdline}); null or blank for none
     * @throws BootImageException the image cannot be read or booted; the message names the file and the problem
     */
    public static MultibootBoot load(GuestMemory ram, Path image, String arguments) throws BootImageException {
        return load(ram, image, read(image, ram.size()), arguments);
    }

    /** As {@link #load(GuestMemory, Path, String)}, with the file's contents already {@link #read}. */
    public static MultibootBoot load(GuestMemory ram, Path image, byte[] contents, String arguments) throws BootImageException {
        String name = image.toString();
        Path fileName = image.getFileName();
        return load(ram, contents, name, commandLine(fileName == null ? name : fileName.toString(), arguments));
    }

    /**
     * Loads an image already in memory.
     *
     * @param name the image's name, which starts every error message
     * @param commandLine the complete command line the kernel gets, file name included
     */
    public static MultibootBoot load(GuestMemory ram, byte[] image, String name, String commandLine) throws BootImageException {
        Objects.requireNonNull(commandLine, "commandLine");
        if (ram.size() <= MemoryMap.HIGH_MEMORY) throw new IllegalArgumentException("Multiboot needs more than 1 MiB of guest RAM");
        if (image.length == 0) throw new BootImageException(name + ": is empty");
        if (image.length > ram.size()) throw tooBig(name, image.length, ram.size());
        MultibootHeader header = MultibootHeader.find(image, name);
        LoadPlan plan = header.hasLoadAddresses() ? AoutKludgeKernel.plan(header, image, name) : Elf32Kernel.plan(image, name);
        MemoryMap map = MemoryMap.pc(ram.size());
        check(plan, ram.size(), name);

        // The boot information first: it checks the command line before writing anything, and no segment can touch
        // its area, so a refusal still leaves RAM as it was.
        long infoEnd = MultibootInfo.write(ram, map, commandLine, name);
        for (LoadSegment s : plan.segments()) {
            ram.write(s.address(), image, (int) s.fileOffset(), (int) s.fileSize());
            ram.fill(s.fileEnd(), s.memorySize() - s.fileSize(), (byte) 0);
        }
        return new MultibootBoot(plan.entry(), MultibootBoot.BOOTLOADER_MAGIC, (int) MultibootInfo.INFO_ADDRESS,
                (int) MultibootInfo.INFO_ADDRESS, MultibootBoot.EFLAGS_AT_ENTRY, MultibootBoot.CR0_AT_ENTRY,
                plan.lowestAddress(), plan.highestAddress(), infoEnd, commandLine, map, header, plan.format());
    }

    /** True if image has a Multiboot header with a valid checksum in its first 8 KiB: for choosing a boot protocol. */
    public static boolean isMultiboot(byte[] image) { return MultibootHeader.offsetOf(image) >= 0; }

    /** "name" or "name arguments": the command-line convention described on this class. */
    public static String commandLine(String fileName, String arguments) {
        return arguments == null || arguments.isBlank() ? fileName : fileName + " " + arguments.strip();
    }

    /**
     * Each segment must lie in guest RAM, clear of the boot area, the VGA window and every other segment. The EBDA and
     * BIOS ROM ranges, reserved in the memory map, are allowed: Popek has no BIOS, so they are plain RAM, and
     * {@code ld -Ttext=0x100000} puts the ELF headers in a read-only segment just below 1 MiB, which QEMU loads too.
     * The kernel then sees its own first page marked reserved, which costs it nothing.
     */
    private static void check(LoadPlan plan, long ramSize, String name) throws BootImageException {
        for (LoadSegment s : plan.segments()) {
            String what = describe(s, plan.format());
            if (s.end() > ramSize) {
                throw new BootImageException(String.format("%s: %s at %#x-%#x lies outside guest RAM (%s)",
                        name, what, s.address(), s.end(), MemorySize.format(ramSize)));
            }
            if (s.address() < MultibootInfo.BOOT_AREA_END && s.end() > MultibootInfo.BOOT_AREA_START) {
                throw new BootImageException(String.format(
                        "%s: %s at %#x-%#x overlaps the area %#x-%#x where Popek puts the boot information and initial stack",
                        name, what, s.address(), s.end(), MultibootInfo.BOOT_AREA_START, MultibootInfo.BOOT_AREA_END));
            }
            if (s.address() < MemoryMap.VGA_WINDOW_END && s.end() > MemoryMap.VGA_WINDOW_START) {
                throw new BootImageException(String.format(
                        "%s: %s at %#x-%#x overlaps the VGA memory window %#x-%#x, which is device memory, not RAM",
                        name, what, s.address(), s.end(), MemoryMap.VGA_WINDOW_START, MemoryMap.VGA_WINDOW_END));
            }
        }
        List<LoadSegment> byAddress = new ArrayList<>(plan.segments());
        byAddress.sort(Comparator.comparingLong(LoadSegment::address));
        for (int i = 1; i < byAddress.size(); i++) {
            LoadSegment a = byAddress.get(i - 1), b = byAddress.get(i);
            if (b.address() < a.end()) {
                LoadSegment first = a.index() < b.index() ? a : b, second = first == a ? b : a;
                throw new BootImageException(String.format("%s: segments %d and %d overlap (%#x-%#x and %#x-%#x)",
                        name, first.index(), second.index(), first.address(), first.end(), second.address(), second.end()));
            }
        }
    }

    private static String describe(LoadSegment s, LoadPlan.Format format) {
        return format == LoadPlan.Format.ELF32 ? "segment " + s.index() : "the load range";
    }

    /** The image file's contents, refused (one line) unless it is a regular file no larger than guest RAM. */
    public static byte[] read(Path image, long ramSize) throws BootImageException {
        try {
            return InputFile.read(image, "kernel image", ramSize, "guest RAM (" + MemorySize.format(ramSize) + ")");
        } catch (java.nio.channels.ClosedByInterruptException e) {
            throw new BootImageException(image + ": reading it was interrupted", e);
        }
    }

    private static BootImageException tooBig(String name, long size, long ramSize) {
        return new BootImageException(String.format("%s: is %s, too big for guest RAM (%s)",
                name, MemorySize.format(size), MemorySize.format(ramSize)));
    }
}
