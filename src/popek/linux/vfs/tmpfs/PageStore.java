package popek.linux.vfs.tmpfs;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A memory file's pages, sparse: a table of chunks of 1,024 pages (4 MiB), each made when one of its pages is, so a
 * write at a file's far end (up to the 8 TiB Linux allows a 32-bit file) costs a page and a small table, not a table
 * of every page before it. Each page is kept with its segment view, so moving bytes allocates nothing.
 */
final class PageStore {
    private static final int SHIFT = 10, CHUNK = 1 << SHIFT, MASK = CHUNK - 1;

    private byte[][][] pages = new byte[0][][];
    private MemorySegment[][] segments = new MemorySegment[0][];

    /** Page {@code index}'s bytes, or null for a hole. */
    byte[] page(long index) {
        int c = (int) (index >>> SHIFT);
        return c < pages.length && pages[c] != null ? pages[c][(int) index & MASK] : null;
    }

    /** Page {@code index} as a segment, or null for a hole. */
    MemorySegment segment(long index) {
        int c = (int) (index >>> SHIFT);
        return c < segments.length && segments[c] != null ? segments[c][(int) index & MASK] : null;
    }

    /** Makes page {@code index} (zeros), which must be a hole. */
    void make(long index) {
        int c = (int) (index >>> SHIFT);
        if (c >= pages.length) {
            int n = Math.max(c + 1, pages.length * 2);
            pages = Arrays.copyOf(pages, n);
            segments = Arrays.copyOf(segments, n);
        }
        if (pages[c] == null) {
            pages[c] = new byte[CHUNK][];
            segments[c] = new MemorySegment[CHUNK];
        }
        byte[] p = new byte[TmpFs.PAGE];
        pages[c][(int) index & MASK] = p;
        segments[c][(int) index & MASK] = MemorySegment.ofArray(p);
    }

    /** Drops every page from {@code first} on; returns how many there were. */
    long dropFrom(long first) {
        long dropped = 0;
        for (int c = (int) (first >>> SHIFT); c < pages.length; c++) {
            if (pages[c] == null) continue;
            int from = c == (int) (first >>> SHIFT) ? (int) first & MASK : 0;
            for (int i = from; i < CHUNK; i++) {
                if (pages[c][i] != null) {
                    pages[c][i] = null;
                    segments[c][i] = null;
                    dropped++;
                }
            }
            if (from == 0) {
                pages[c] = null;
                segments[c] = null;
            }
        }
        return dropped;
    }
}
