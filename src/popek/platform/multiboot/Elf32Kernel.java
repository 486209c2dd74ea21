package popek.platform.multiboot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import popek.platform.BootImageException;

/** Reads the load plan of a Multiboot kernel from its ELF32 headers, the way GRUB does for an image without flag bit 16. */
final class Elf32Kernel {
    private static final int ELF_HEADER_SIZE = 52;
    private static final int PROGRAM_HEADER_SIZE = 32;
    private static final int ELFCLASS32 = 1, ELFCLASS64 = 2;
    private static final int ELFDATA2LSB = 1;
    private static final int ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;
    private static final int EM_386 = 3;
    private static final int PT_LOAD = 1;

    private Elf32Kernel() {}

    static boolean isElf(byte[] image) {
        return image.length >= 4 && image[0] == 0x7F && image[1] == 'E' && image[2] == 'L' && image[3] == 'F';
    }

    static LoadPlan plan(byte[] image, String name) throws BootImageException {
        if (!isElf(image)) {
            throw new BootImageException(name + ": not an ELF file, and its Multiboot header gives no load addresses (flag bit 16); "
                    + "link the kernel as ELF32 or set the a.out-kludge fields");
        }
        if (image.length < 16) throw truncated(name, image.length, "the ELF identification");
        int elfClass = image[4] & 0xFF;   // unsigned: a class of 0xC1 is not -63
        if (elfClass == ELFCLASS64) throw new BootImageException(name + ": is a 64-bit ELF; Multiboot 1 needs a 32-bit (ELF32, i386) kernel");
        if (elfClass != ELFCLASS32) throw new BootImageException(name + ": unknown ELF class " + elfClass + "; Multiboot 1 needs a 32-bit (ELF32, i386) kernel");
        if (image[5] == 2) throw new BootImageException(name + ": is a big-endian ELF; an x86 kernel is little-endian");
        if (image[5] != ELFDATA2LSB) {
            throw new BootImageException(name + ": unknown ELF data encoding " + (image[5] & 0xFF) + "; an x86 kernel is little-endian (ELFDATA2LSB, 1)");
        }
        if (image.length < ELF_HEADER_SIZE) throw truncated(name, image.length, "the ELF header");

        ByteBuffer le = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int type = u16(le, 16);
        int machine = u16(le, 18);
        if (machine != EM_386) {
            throw new BootImageException(name + ": is an ELF for " + machineName(machine) + "; Multiboot 1 needs an i386 (EM_386) kernel");
        }
        switch (type) {
            case ET_EXEC -> { }
            case ET_REL -> throw new BootImageException(name + ": is an unlinked object file (ET_REL); link it into an executable (ET_EXEC)");
            case ET_DYN -> throw new BootImageException(name + ": is a position-independent ELF (ET_DYN); Multiboot needs a fixed-address executable (ET_EXEC), link with -no-pie");
            default -> throw new BootImageException(name + ": ELF type " + type + " is not an executable (ET_EXEC)");
        }
        long entry = u32(le, 24);
        long phoff = u32(le, 28);
        int phentsize = u16(le, 42);
        int phnum = u16(le, 44);
        if (phnum == 0) throw new BootImageException(name + ": the ELF file has no program headers, so nothing to load");
        if (phentsize < PROGRAM_HEADER_SIZE) {
            throw new BootImageException(name + ": malformed ELF: program header entries of " + phentsize + " bytes (ELF32 needs " + PROGRAM_HEADER_SIZE + ")");
        }
        if (phoff + (long) phentsize * phnum > image.length) throw truncated(name, image.length, "the program header table");

        List<LoadSegment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (le.getInt(at) != PT_LOAD) continue;
            long offset = u32(le, at + 4), vaddr = u32(le, at + 8), paddr = u32(le, at + 12);
            long filesz = u32(le, at + 16), memsz = u32(le, at + 20);
            if (filesz > memsz) {
                throw new BootImageException(String.format(
                        "%s: malformed ELF: segment %d has more file bytes than memory bytes (p_filesz %#x > p_memsz %#x)", name, i, filesz, memsz));
            }
            if (offset + filesz > image.length) {
                throw new BootImageException(String.format(
                        "%s: is truncated: segment %d needs file bytes %#x-%#x but the file is only %d bytes", name, i, offset, offset + filesz, image.length));
            }
            if (memsz == 0) continue;   // nothing to place; such segments exist in some linker outputs and GRUB skips them too
            segments.add(new LoadSegment(i, offset, filesz, paddr, memsz, vaddr));
        }
        if (segments.isEmpty()) throw new BootImageException(name + ": the ELF file has no loadable (PT_LOAD) segments");
        return new LoadPlan(LoadPlan.Format.ELF32, segments, physicalEntry(segments, entry, name));
    }

    /**
     * The entry point as a physical address. A higher-half kernel is linked at, say, 0xC0100000 but loaded (p_paddr,
     * via AT() in its linker script) at 0x100000, and runs with paging off until it sets paging up; so, like GRUB,
     * translate an e_entry inside a segment's virtual range by that segment's paddr − vaddr. An e_entry that is
     * already physical (some kernels link ENTRY() that way) is taken as it is.
     */
    private static long physicalEntry(List<LoadSegment> segments, long entry, String name) throws BootImageException {
        LoadSegment home = null;
        long physical = entry;
        for (LoadSegment s : segments) {
            if (entry >= s.virtualAddress() && entry < s.virtualAddress() + s.memorySize()) {
                home = s;
                physical = entry - s.virtualAddress() + s.address();
                break;
            }
        }
        if (home == null) {
            for (LoadSegment s : segments) {
                if (entry >= s.address() && entry < s.end()) home = s;
            }
        }
        if (home == null) throw new BootImageException(String.format("%s: the entry point %#x lies outside every loaded segment", name, entry));
        if (physical >= home.fileEnd()) {
            throw new BootImageException(String.format(
                    "%s: the entry point %#x lies in the zero-filled part (bss) of segment %d, not in code from the file", name, entry, home.index()));
        }
        return physical;
    }

    private static BootImageException truncated(String name, int length, String what) {
        return new BootImageException(name + ": is truncated: " + length + " bytes are too few to hold " + what);
    }

    private static String machineName(int machine) {
        return switch (machine) {
            case 62 -> "x86-64 (EM_X86_64)";
            case 40 -> "ARM (EM_ARM)";
            case 183 -> "AArch64 (EM_AARCH64)";
            case 243 -> "RISC-V (EM_RISCV)";
            default -> "machine " + machine;
        };
    }

    private static int u16(ByteBuffer le, int at) { return le.getShort(at) & 0xFFFF; }

    private static long u32(ByteBuffer le, int at) { return Integer.toUnsignedLong(le.getInt(at)); }
}
