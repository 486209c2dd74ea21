package popek.fuzz.images;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Structure-aware mutations of a seed: most aim at a field the loaders read (the Multiboot header's flags and load
 * addresses, with the checksum put right or not; the ELF header and program headers; the Linux setup header; a boot
 * sector's signature and code), set to a value that sits on an edge (0, all ones, the sign bit, the file's length,
 * the end of RAM, the APIC's page, the old value off by a little); the rest are byte-level (flips, random runs,
 * truncation, growth, a block copied elsewhere).
 */
final class ImageMutator {
    private ImageMutator() {}

    /** {@code seed}'s bytes after 0 to 8 mutations (0 about one case in ten: the valid seed must boot too). */
    static byte[] mutate(Seed seed, Random r) {
        byte[] b = seed.bytes().clone();
        int n = r.nextInt(10) == 0 ? 0 : 1 + Math.min(7, (int) (-Math.log(1 - r.nextDouble()) * 1.5));
        for (int i = 0; i < n; i++) b = once(seed.kind(), b, r);
        return b;
    }

    private static byte[] once(Seed.Kind kind, byte[] b, Random r) {
        if (b.length == 0) return new byte[] {(byte) r.nextInt(256)};
        int choice = r.nextInt(10);
        if (choice < 6) {
            switch (kind) {
                case ELF -> {
                    return r.nextBoolean() ? multiboot(b, r) : elf(b, r);
                }
                case AOUT -> {
                    return multiboot(b, r);
                }
                case BZIMAGE -> {
                    return setupHeader(b, r);
                }
                case BOOT_SECTOR -> {
                    return bootSector(b, r);
                }
                default -> throw new IllegalArgumentException(kind.name());
            }
        }
        return bytes(b, r);
    }

    private static byte[] multiboot(byte[] b, Random r) {
        int at = Layout.multibootHeader(b);
        if (at < 0) return bytes(b, r);
        List<Integer> fields = Layout.multibootFields(b, at);
        int f = fields.get(r.nextInt(fields.size()));
        if (f == at + 4) {   // flags: a bit flipped (required bits Popek knows or not, the a.out kludge on or off)
            Layout.put32(b, f, Seed.u32(b, f) ^ (1 << r.nextInt(32)));
        } else {
            Layout.put32(b, f, (int) edge(Integer.toUnsignedLong(Seed.u32(b, f)), b.length, r));
        }
        if (r.nextInt(5) != 0) Layout.fixChecksum(b, at);
        return b;
    }

    private static byte[] elf(byte[] b, Random r) {
        List<Integer> ph = Layout.programHeaderFields(b);
        if (!ph.isEmpty() && r.nextBoolean()) {
            int f = ph.get(r.nextInt(ph.size()));
            Layout.put32(b, f, (int) edge(Integer.toUnsignedLong(Seed.u32(b, f)), b.length, r));
            return b;
        }
        int[] f = Layout.ELF_HEADER[r.nextInt(Layout.ELF_HEADER.length)];
        if (f[0] + f[1] > b.length) return bytes(b, r);
        long old = f[1] == 1 ? b[f[0]] & 0xFF : f[1] == 2 ? Seed.u16(b, f[0]) : Integer.toUnsignedLong(Seed.u32(b, f[0]));
        Layout.put(b, f[0], f[1], edge(old, b.length, r));
        return b;
    }

    private static byte[] setupHeader(byte[] b, Random r) {
        int[] f = Layout.SETUP_HEADER[r.nextInt(Layout.SETUP_HEADER.length)];
        if (f[0] + f[1] > b.length) return bytes(b, r);
        long old = 0;
        for (int i = f[1] - 1; i >= 0; i--) old = old << 8 | (b[f[0] + i] & 0xFF);
        Layout.put(b, f[0], f[1], edge(old, b.length, r));
        return b;
    }

    private static byte[] bootSector(byte[] b, Random r) {
        switch (r.nextInt(4)) {
            case 0 -> Layout.put(b, 510, 2, r.nextBoolean() ? 0xAA55 : r.nextInt(0x10000));
            case 1 -> {   // a run of random code where the sector starts or anywhere in it
                int at = r.nextBoolean() ? 0 : r.nextInt(510), len = 1 + r.nextInt(32);
                for (int i = at; i < Math.min(Math.min(510, b.length), at + len); i++) b[i] = (byte) r.nextInt(256);   // (an earlier mutation may have cut it short)
            }
            case 2 -> {
                return Arrays.copyOf(b, r.nextBoolean() ? 511 : 512 + r.nextInt(1024));   // too short, or a partial sector
            }
            default -> {
                return bytes(b, r);
            }
        }
        return b;
    }

    /** Byte-level: bits flipped, a random run, truncated, grown, a block copied over another. */
    private static byte[] bytes(byte[] b, Random r) {
        switch (r.nextInt(6)) {
            case 0 -> {
                for (int i = 1 + r.nextInt(8); i > 0; i--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
            }
            case 1 -> {
                int at = r.nextInt(b.length);
                for (int i = at; i < Math.min(b.length, at + 1 + r.nextInt(64)); i++) b[i] = (byte) r.nextInt(256);
            }
            case 2 -> {
                return Arrays.copyOf(b, r.nextInt(b.length));
            }
            case 3 -> {
                byte[] g = Arrays.copyOf(b, b.length + 1 + r.nextInt(r.nextBoolean() ? 64 : 65536));
                if (r.nextBoolean()) for (int i = b.length; i < g.length; i++) g[i] = (byte) r.nextInt(256);
                return g;
            }
            case 4 -> {
                int len = 1 + r.nextInt(Math.min(b.length, 4096)), from = r.nextInt(b.length - len + 1), to = r.nextInt(b.length - len + 1);
                System.arraycopy(b.clone(), from, b, to, len);
            }
            default -> {
                int at = r.nextInt(b.length) & ~3;
                if (at + 4 <= b.length) Layout.put32(b, at, (int) edge(Integer.toUnsignedLong(Seed.u32(b, at)), b.length, r));
            }
        }
        return b;
    }

    /** A value on an edge the loaders must handle, given a field's old value and the file's length. */
    static long edge(long old, int fileLength, Random r) {
        long[] fixed = {0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0xFFFF, 0x10000, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL,
            0xFFFFFFFEL, 0xFFFFF000L, 0x100000, 0x9000, 0x7C00, 0xA0000, 0xB8000, 0xFEC00000L, 0xFEE00000L, 0x1000000,
            0x4000000, 0x3FFFFFFFL, 0xC0000000L};
        return switch (r.nextInt(6)) {
            case 0, 1 -> fixed[r.nextInt(fixed.length)];
            case 2 -> old + r.nextInt(33) - 16;
            case 3 -> fileLength + r.nextInt(9) - 4;
            case 4 -> old ^ (1L << r.nextInt(32));
            default -> r.nextLong() & 0xFFFFFFFFL;
        };
    }
}
