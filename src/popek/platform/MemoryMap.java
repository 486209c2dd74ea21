package popek.platform;

import java.util.ArrayList;
import java.util.List;

/**
 * The guest-physical memory map a PC BIOS reports through INT 15h/E820, as a value: Multiboot passes it in its info
 * structure, and the Linux boot protocol in its zero page. Ranges not listed (the VGA window and option ROMs at
 * 0xA0000 – 0xF0000) are holes that a kernel must not use.
 *
 * @param regions sorted by base, non-overlapping, none empty
 */
public record MemoryMap(List<Region> regions) {
    /** Conventional memory ends here: the top KiB below 640 KiB is the EBDA, as SeaBIOS under QEMU lays it out. */
    public static final long EBDA_START = 0x9FC00;
    public static final long CONVENTIONAL_END = 0xA0000;
    /** The legacy VGA memory window [0xA0000, 0xC0000): device memory on every PC, never RAM. */
    public static final long VGA_WINDOW_START = CONVENTIONAL_END, VGA_WINDOW_END = 0xC0000;
    public static final long BIOS_ROM_START = 0xF0000;
    /** The start of extended memory: everything from here to the end of RAM is usable. */
    public static final long HIGH_MEMORY = 0x100000;

    /** E820 range types; {@link #code} is the number the BIOS call (and Multiboot's mmap {@code type}) uses. */
    public enum Type {
        AVAILABLE(1), RESERVED(2), ACPI_RECLAIMABLE(3), ACPI_NVS(4), BAD(5);

        public final int code;

        Type(int code) { this.code = code; }
    }

    /** One range [base, base + length). */
    public record Region(long base, long length, Type type) {
        public Region {
            if (base < 0 || length <= 0) throw new IllegalArgumentException("bad memory region " + base + "+" + length);
        }

        public long end() { return base + length; }

        public boolean contains(long start, long end) { return start >= base && end <= end(); }
    }

    public MemoryMap {
        regions = List.copyOf(regions);
        for (int i = 1; i < regions.size(); i++) {
            if (regions.get(i).base() < regions.get(i - 1).end()) throw new IllegalArgumentException("memory regions overlap or are unsorted");
        }
    }

    /**
     * The map of a PC with ramBytes of RAM and nothing above it below 4 GiB but devices: usable low memory up to the EBDA,
     * the EBDA and the BIOS ROM reserved, and usable RAM from 1 MiB up. The same layout QEMU's SeaBIOS reports, so
     * kernels see nothing unusual.
     */
    public static MemoryMap pc(long ramBytes) {
        if (ramBytes <= HIGH_MEMORY) throw new IllegalArgumentException("a PC memory map needs more than 1 MiB of RAM");
        List<Region> r = new ArrayList<>();
        r.add(new Region(0, EBDA_START, Type.AVAILABLE));
        r.add(new Region(EBDA_START, CONVENTIONAL_END - EBDA_START, Type.RESERVED));
        r.add(new Region(BIOS_ROM_START, HIGH_MEMORY - BIOS_ROM_START, Type.RESERVED));
        r.add(new Region(HIGH_MEMORY, ramBytes - HIGH_MEMORY, Type.AVAILABLE));
        return new MemoryMap(r);
    }

    /** True if [start, end) lies entirely inside one available region. */
    public boolean isAvailable(long start, long end) {
        for (Region r : regions) {
            if (r.type() == Type.AVAILABLE && r.contains(start, end)) return true;
        }
        return false;
    }

    /** Usable KiB below 640 KiB from address 0 (the BIOS's INT 12h answer): Multiboot's {@code mem_lower}. */
    public long lowerKib() { return availableFrom(0) / MemorySize.KIB; }

    /** Usable KiB from 1 MiB up to the first hole: Multiboot's {@code mem_upper}. */
    public long upperKib() { return availableFrom(HIGH_MEMORY) / MemorySize.KIB; }

    /** Bytes of contiguous available memory starting at address, 0 if address is not at the start of an available region. */
    private long availableFrom(long address) {
        long end = address;
        for (Region r : regions) {
            if (r.type() == Type.AVAILABLE && r.base() <= end && r.end() > end) end = r.end();
        }
        return end - address;
    }
}
