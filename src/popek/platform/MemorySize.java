package popek.platform;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The guest's RAM size, from the user's {@code --memory} value. Suffixes are binary, as in QEMU: {@code K}, {@code M},
 * {@code G} (also written {@code KiB}/{@code KB}, …) mean 2^10, 2^20, 2^30; a bare number is bytes.
 *
 * @param bytes the size in bytes: a multiple of 4 KiB in [{@link #MIN}, {@link #MAX}]
 */
public record MemorySize(long bytes) {
    public static final long KIB = 1L << 10, MIB = 1L << 20, GIB = 1L << 30;
    /** Enough for a Multiboot kernel at 1 MiB plus the low-memory boot area; smaller guests are not worth supporting. */
    public static final long MIN = 2 * MIB;
    /** RAM stays below 3 GiB: the top GiB of the 32-bit address space is for devices (IOAPIC 0xFEC00000, LAPIC 0xFEE00000). */
    public static final long MAX = 3 * GIB;

    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");

    public MemorySize {
        if (bytes < MIN || bytes > MAX || bytes % 4096 != 0) throw new IllegalArgumentException("bad RAM size " + bytes);
    }

    /** Parses a {@code --memory} value such as {@code 64M}, {@code 64MiB}, {@code 65536K}, {@code 1G} or {@code 67108864}. */
    public static MemorySize parse(String text) throws InvalidMemorySizeException {
        String given = text == null ? "" : text.strip();
        Matcher m = SIZE.matcher(given.toLowerCase(Locale.ROOT));
        if (!m.matches()) throw new InvalidMemorySizeException("--memory: '" + given + "' is not a size (use e.g. 64M or 1G)");
        long unit = switch (m.group(2)) {
            case "k", "kb", "kib" -> KIB;
            case "m", "mb", "mib" -> MIB;
            case "g", "gb", "gib" -> GIB;
            default -> 1;
        };
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (NumberFormatException | ArithmeticException overflow) {
            bytes = Long.MAX_VALUE;   // more digits than a long holds: certainly above MAX, reported as such below
        }
        if (bytes > MAX) {
            throw new InvalidMemorySizeException("--memory: '" + given + "' is too large; at most " + format(MAX)
                    + " (the top GiB of the 32-bit address space is for devices)");
        }
        if (bytes < MIN) throw new InvalidMemorySizeException("--memory: '" + given + "' is too small; at least " + format(MIN));
        if (bytes % 4096 != 0) throw new InvalidMemorySizeException("--memory: '" + given + "' is not a multiple of 4 KiB");
        return new MemorySize(bytes);
    }

    /** A byte count in the largest binary unit that divides it exactly ("64 MiB", "1536 KiB", "100 bytes"), for messages. */
    public static String format(long bytes) {
        if (bytes != 0 && bytes % GIB == 0) return bytes / GIB + " GiB";
        if (bytes != 0 && bytes % MIB == 0) return bytes / MIB + " MiB";
        if (bytes != 0 && bytes % KIB == 0) return bytes / KIB + " KiB";
        return bytes == 1 ? "1 byte" : bytes + " bytes";
    }

    public long kib() { return bytes / KIB; }

    @Override public String toString() { return format(bytes); }
}
