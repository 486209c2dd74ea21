package popek.fuzz.images;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the fields of a boot image lie, for mutations that aim at them: the Multiboot header and its address fields,
 * the ELF32 header and program headers, the Linux setup header. Offsets only; nothing here validates.
 */
final class Layout {
    private Layout() {}

    static final int MB_MAGIC = 0x1BADB002;

    /** The offset of the first Multiboot header with a valid checksum in the first 8 KiB, or -1. */
    static int multibootHeader(byte[] b) {
        for (int at = 0; at + 12 <= Math.min(b.length, 8192); at += 4) {
            if (Seed.u32(b, at) == MB_MAGIC && MB_MAGIC + Seed.u32(b, at + 4) + Seed.u32(b, at + 8) == 0) return at;
        }
        return -1;
    }

    /** The 32-bit fields of the Multiboot header at {@code at}: flags, then (a.out kludge) the five addresses. */
    static List<Integer> multibootFields(byte[] b, int at) {
        List<Integer> f = new ArrayList<>(List.of(at + 4));
        for (int i = 12; i <= 28; i += 4) if (at + i + 4 <= b.length) f.add(at + i);
        return f;
    }

    /** Fixes the checksum of the header at {@code at} after its flags changed. */
    static void fixChecksum(byte[] b, int at) { put32(b, at + 8, -(MB_MAGIC + Seed.u32(b, at + 4))); }

    /** ELF header fields as (offset, size): class, data, version, type, machine, entry, phoff, shoff, ehsize, phentsize, phnum. */
    static final int[][] ELF_HEADER = {{4, 1}, {5, 1}, {6, 1}, {16, 2}, {18, 2}, {20, 4}, {24, 4}, {28, 4}, {32, 4},
        {40, 2}, {42, 2}, {44, 2}};

    /** The program-header fields of every program header the file holds: type, offset, vaddr, paddr, filesz, memsz. */
    static List<Integer> programHeaderFields(byte[] b) {
        List<Integer> f = new ArrayList<>();
        if (b.length < 52) return f;
        long phoff = Integer.toUnsignedLong(Seed.u32(b, 28));
        int size = Seed.u16(b, 42), n = Seed.u16(b, 44);
        for (int i = 0; i < Math.min(n, 16); i++) {
            long at = phoff + (long) i * size;
            if (size < 32 || at + 32 > b.length) break;
            for (int k = 0; k < 24; k += 4) f.add((int) at + k);
        }
        return f;
    }

    /** Linux setup-header fields as (offset, size) (Documentation/arch/x86/boot.rst). */
    static final int[][] SETUP_HEADER = {{0x1F1, 1}, {0x1F4, 4}, {0x1FE, 2}, {0x202, 4}, {0x206, 2}, {0x211, 1},
        {0x214, 4}, {0x218, 4}, {0x21C, 4}, {0x228, 4}, {0x22C, 4}, {0x230, 4}, {0x234, 1}, {0x236, 2}, {0x238, 4},
        {0x258, 8}, {0x260, 4}};

    static void put(byte[] b, int at, int size, long v) {
        for (int i = 0; i < size && at + i < b.length; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    static void put32(byte[] b, int at, int v) { put(b, at, 4, v); }
}
