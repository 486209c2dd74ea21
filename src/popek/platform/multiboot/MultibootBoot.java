package popek.platform.multiboot;

import popek.platform.MemoryMap;

/**
 * A loaded Multiboot kernel and the CPU state it must start in. Besides the registers below, the specification fixes:
 * protected mode with paging off (CR0.PE = 1, CR0.PG = 0), CS a flat 32-bit execute/read code segment and DS, ES, FS,
 * GS, SS flat 32-bit read/write data segments (base 0, limit 4 GiB), A20 enabled. GDTR and IDTR are undefined: the
 * kernel loads its own before it reloads a segment register or enables interrupts.
 *
 * @param entry EIP: the physical address of the first instruction
 * @param eax {@link #BOOTLOADER_MAGIC}, which tells the kernel a Multiboot loader started it
 * @param ebx the physical address of the Multiboot information structure
 * @param esp a valid initial stack top in low memory (the specification leaves ESP undefined)
 * @param eflags {@link #EFLAGS_AT_ENTRY}: interrupts off, VM off, only the always-one bit set
 * @param cr0 {@link #CR0_AT_ENTRY}
 * @param kernelStart the lowest physical address the kernel occupies
 * @param kernelEnd the physical address just past the kernel, bss included
 * @param infoEnd the address just past the boot information (which starts at ebx)
 * @param commandLine the string the kernel finds at the info structure's cmdline
 * @param memoryMap the map the kernel was given
 * @param header the Multiboot header as found in the image
 * @param format whether the ELF headers or the header's a.out-kludge fields said where to load
 */
public record MultibootBoot(long entry, int eax, int ebx, int esp, int eflags, int cr0, long kernelStart, long kernelEnd,
                            long infoEnd, String commandLine, MemoryMap memoryMap, MultibootHeader header,
                            LoadPlan.Format format) {
    public static final int BOOTLOADER_MAGIC = 0x2BADB002;
    /** Bit 1 of EFLAGS always reads as one; IF (bit 9) and VM (bit 17) must be clear. */
    public static final int EFLAGS_AT_ENTRY = 0x2;
    /** PE set, PG clear; ET (bit 4) is hard-wired to one on every CPU since the 486, so it is set to match. */
    public static final int CR0_AT_ENTRY = 0x11;

    /** The physical address of the Multiboot information structure, as a long. */
    public long infoAddress() { return Integer.toUnsignedLong(ebx); }

    /** One line for a verbose start-up message. */
    public String summary() {
        return String.format("Multiboot %s kernel at %#x-%#x, entry %#x, boot information at %#x-%#x, command line \"%s\"",
                format == LoadPlan.Format.ELF32 ? "ELF32" : "a.out-kludge", kernelStart, kernelEnd, entry, infoAddress(), infoEnd,
                commandLine);
    }
}
