package popek.fuzz.images;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A valid input the mutations start from: one of the project's own built guests (target/guest-images and
 * target/test-guests), with the kind of boot it is for, found from its bytes.
 */
public record Seed(String name, Kind kind, byte[] bytes) {
    /** How a user boots such a file. */
    public enum Kind {
        /** A Multiboot ELF32 kernel: {@code popek boot FILE}. */
        ELF,
        /** A Multiboot image with the a.out kludge's load addresses: {@code popek boot FILE}. */
        AOUT,
        /** A Linux bzImage: {@code popek boot --kernel FILE}. */
        BZIMAGE,
        /** A disk whose sector 0 is a boot sector: {@code popek boot --disk FILE}. */
        BOOT_SECTOR
    }

    /** Every seed in {@code dirs} (files of a kind Popek boots; others skipped), sorted by name for a fixed order. */
    public static List<Seed> load(List<Path> dirs) {
        List<Seed> seeds = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) continue;
            try (Stream<Path> s = Files.list(d)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    if (Files.size(f) > 1 << 20) continue;
                    byte[] b = Files.readAllBytes(f);
                    Kind k = kindOf(b);
                    if (k != null) seeds.add(new Seed(f.getFileName().toString(), k, b));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return seeds;
    }

    /** The project's seed directories: the built guest images and, beside them, the built test guests. */
    public static List<Path> defaultDirs() {
        String images = System.getProperty("popek.guestImages");
        if (images == null) return List.of();
        Path g = Path.of(images);
        return List.of(g, g.resolveSibling("test-guests"));
    }

    static Kind kindOf(byte[] b) {
        if (b.length >= 0x250 && u16(b, 0x1FE) == 0xAA55 && u32(b, 0x202) == 0x53726448) return Kind.BZIMAGE;
        int mb = Layout.multibootHeader(b);
        if (b.length >= 52 && b[0] == 0x7F && b[1] == 'E' && b[2] == 'L' && b[3] == 'F' && mb >= 0) return Kind.ELF;
        if (mb >= 0 && (u32(b, mb + 4) & (1 << 16)) != 0) return Kind.AOUT;
        if (b.length >= 512 && u16(b, 510) == 0xAA55) return Kind.BOOT_SECTOR;
        return null;
    }

    static int u16(byte[] b, int at) { return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8; }

    static int u32(byte[] b, int at) { return u16(b, at) | u16(b, at + 2) << 16; }
}
