package popek.engine;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Finds an engine's live {@code CPUX86State} (QEMU's register file) in the process's memory, so the system-call path
 * can read and write general registers with plain loads and stores instead of a native call each.
 *
 * <p>{@code uc_struct.cpu} points at the X86CPU object, which holds the CPUX86State a few tens of KiB in (after
 * QEMU's CPUState and its jump cache). Rather than trust a computed offset, the locator writes eight distinctive
 * values into EAX-EDI through the API, then looks for them, in QEMU's register order, behind each pointer-sized word
 * of uc_struct that points into readable memory (checked against /proc/self/maps first, so nothing unreadable is
 * ever touched). A hit is then verified both ways (a store through memory read back through the API, and the
 * reverse) before it is used; when anything fails the caller falls back to the API.
 */
final class EnvLocator {
    private EnvLocator() { }

    /** How far behind a candidate pointer to look: X86CPU's CPUState part holds a 32 KiB jump cache. */
    private static final long WINDOW = 256 * 1024;
    /** How much of uc_struct holds the candidate (the cpu field sits before target_page_size, ~1.5 KiB in). */
    private static final long STRUCT_BYTES = 2048;

    /** Readable [start, end) ranges of this process, from /proc/self/maps; empty when it cannot be read. */
    private static List<long[]> readableRanges() {
        List<long[]> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
                String[] f = line.split(" ", 3);
                if (f.length < 2 || f[1].charAt(0) != 'r') continue;
                int dash = f[0].indexOf('-');
                out.add(new long[] {Long.parseUnsignedLong(f[0], 0, dash, 16), Long.parseUnsignedLong(f[0], dash + 1, f[0].length(), 16)});
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return out;
    }

    private static long[] rangeOf(List<long[]> ranges, long address) {
        for (long[] r : ranges) if (Long.compareUnsigned(address, r[0]) >= 0 && Long.compareUnsigned(address, r[1]) < 0) return r;
        return null;
    }

    /**
     * The address of the live CPUX86State whose first eight 64-bit words are {@code pattern}, or 0. {@code uc} is the
     * engine handle.
     */
    static long find(MemorySegment uc, long[] pattern) {
        List<long[]> ranges = readableRanges();
        long[] ucRange = rangeOf(ranges, uc.address());
        if (ucRange == null) return 0;
        long structEnd = Math.min(uc.address() + STRUCT_BYTES, ucRange[1]);
        MemorySegment struct = MemorySegment.ofAddress(uc.address()).reinterpret(structEnd - uc.address());
        for (long off = 0; off + 8 <= struct.byteSize(); off += 8) {
            long candidate = struct.get(JAVA_LONG, off);
            if ((candidate & 7) != 0) continue;
            long[] r = rangeOf(ranges, candidate);
            if (r == null) continue;
            long end = Math.min(candidate + WINDOW, r[1]);
            if (end - candidate < 64) continue;
            MemorySegment window = MemorySegment.ofAddress(candidate).reinterpret(end - candidate);
            for (long at = 0; at + 64 <= window.byteSize(); at += 8) {
                if (window.get(JAVA_LONG, at) != pattern[0]) continue;
                boolean all = true;
                for (int i = 1; i < 8 && all; i++) all = window.get(JAVA_LONG, at + 8L * i) == pattern[i];
                if (all) return candidate + at;
            }
        }
        return 0;
    }
}
