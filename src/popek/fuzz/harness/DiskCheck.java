package popek.fuzz.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A disk changed only where the guest wrote: the guests the device fuzzer makes write nothing to a disk but the marker
 * bytes (ATA data words 0xD15C, a para block ring's buffers filled with them or zero), so every sector that differs
 * from the pristine copy must hold only those bytes, and the file's size and every other sector must be unchanged. A
 * disk image made of random bytes has no such sector by chance.
 */
public final class DiskCheck {
    /** The 16-bit word the guests write as disk data, and its bytes. */
    public static final int MARKER_WORD = 0xD15C;

    private DiskCheck() {}

    /** Null when {@code disk} differs from {@code pristine} only in sectors the guest could have written, else where not. */
    public static String problem(Path pristine, Path disk, boolean readOnly) {
        try {
            byte[] before = Files.readAllBytes(pristine), after = Files.readAllBytes(disk);
            if (before.length != after.length) return disk.getFileName() + ": size changed from " + before.length + " to " + after.length;
            for (int s = 0; s * 512 < before.length; s++) {
                int from = s * 512, to = Math.min(before.length, from + 512);
                if (java.util.Arrays.equals(before, from, to, after, from, to)) continue;
                if (readOnly) return disk.getFileName() + ": read-only, yet sector " + s + " changed";
                if (to - from < 512) return disk.getFileName() + ": the partial sector at the end changed";
                for (int i = from; i < to; i++) {
                    int b = after[i] & 0xFF;
                    if (b != 0 && b != (MARKER_WORD & 0xFF) && b != (MARKER_WORD >>> 8)) {
                        return String.format("%s: sector %d changed to bytes the guest never wrote (0x%02x at offset %d)",
                                disk.getFileName(), s, b, i - from);
                    }
                }
            }
            return null;
        } catch (IOException e) {
            return "could not read the disk back: " + e.getMessage();
        }
    }
}
