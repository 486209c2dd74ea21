package popek.fuzz;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A copy of guest RAM that keeps only its non-zero pages (a case touches a few dozen of its 1,024), so two runs' RAM
 * is captured and compared byte for byte in well under a millisecond.
 */
final class RamSnapshot {
    private static final int PAGE = 4096;
    private static final MemorySegment ZERO = MemorySegment.ofArray(new byte[PAGE]);
    private static final byte[] ZERO_PAGE = new byte[PAGE];

    private final byte[][] pages;

    private RamSnapshot(byte[][] pages) { this.pages = pages; }

    static RamSnapshot of(MemorySegment ram) {
        byte[][] pages = new byte[(int) (ram.byteSize() / PAGE)][];
        boolean[] mapped = mappedPages(ram.address(), pages.length);
        for (int i = 0; i < pages.length; i++) {
            long at = (long) i * PAGE;
            if (mapped[i] && MemorySegment.mismatch(ram, at, at + PAGE, ZERO, 0, PAGE) >= 0) {
                pages[i] = ram.asSlice(at, PAGE).toArray(ValueLayout.JAVA_BYTE);
            }
        }
        return new RamSnapshot(pages);
    }

    /**
     * Which pages of host memory at {@code address} the process has ever mapped (present or swapped, from
     * /proc/self/pagemap): the others were never touched, so they are zero, and reading them would cost a page fault
     * each (measured: 16-60 ms to read 4 MiB of fresh anonymous memory, 0.4 ms once mapped). Every page, where the
     * map cannot be read.
     */
    private static boolean[] mappedPages(long address, int count) {
        boolean[] mapped = new boolean[count];
        byte[] entries = new byte[8 * count];
        try (var f = new java.io.RandomAccessFile("/proc/self/pagemap", "r")) {
            f.seek(address / PAGE * 8);
            f.readFully(entries);
        } catch (java.io.IOException | SecurityException e) {
            Arrays.fill(mapped, true);
            return mapped;
        }
        for (int i = 0; i < count; i++) mapped[i] = (entries[8 * i + 7] & 0xC0) != 0;   // bit 63 present, 62 swapped
        return mapped;
    }

    int size() { return pages.length * PAGE; }

    private byte[] page(int i) { return pages[i] == null ? ZERO_PAGE : pages[i]; }

    int read8(int at) { return page(at / PAGE)[at % PAGE] & 0xFF; }

    int read32(int at) { return read8(at) | read8(at + 1) << 8 | read8(at + 2) << 16 | read8(at + 3) << 24; }

    /** The first address where the two differ, or -1. */
    int mismatch(RamSnapshot o) {
        for (int i = 0; i < Math.min(pages.length, o.pages.length); i++) {
            int at = Arrays.mismatch(page(i), o.page(i));
            if (at >= 0) return i * PAGE + at;
        }
        return pages.length == o.pages.length ? -1 : Math.min(pages.length, o.pages.length) * PAGE;
    }

    /** How many bytes differ from {@code from} on, and the last that does. */
    int[] countFrom(RamSnapshot o, int from) {
        int count = 0, last = from;
        for (int at = from; at < Math.min(size(), o.size()); at++) {
            if (pages[at / PAGE] == null && o.pages[at / PAGE] == null) {
                at = (at / PAGE + 1) * PAGE - 1;
                continue;
            }
            if (read8(at) != o.read8(at)) {
                count++;
                last = at;
            }
        }
        return new int[] {count, last};
    }
}
