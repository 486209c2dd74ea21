package popek.fuzz;

import java.util.Arrays;

/** The low part of a case's guest RAM as it is built (everything a case puts in memory is below 512 KiB). */
final class Image {
    static final int SIZE = 0x80000;

    final byte[] bytes = new byte[SIZE];

    void put8(int at, int v) { bytes[at] = (byte) v; }

    void put16(int at, int v) {
        put8(at, v);
        put8(at + 1, v >>> 8);
    }

    void put32(int at, int v) {
        put16(at, v);
        put16(at + 2, v >>> 16);
    }

    void put64(int at, long v) {
        put32(at, (int) v);
        put32(at + 4, (int) (v >>> 32));
    }

    void put(int at, byte[] b) { System.arraycopy(b, 0, bytes, at, b.length); }

    int get8(int at) { return bytes[at] & 0xFF; }

    int get32(int at) {
        return get8(at) | get8(at + 1) << 8 | get8(at + 2) << 16 | get8(at + 3) << 24;
    }

    /** The indices of the 4 KiB pages that are not all zero. */
    int[] nonZeroPages() {
        int[] pages = new int[SIZE / 4096];
        int n = 0;
        for (int p = 0; p < pages.length; p++) {
            if (Arrays.mismatch(bytes, p * 4096, p * 4096 + 4096, ZERO, 0, 4096) >= 0) pages[n++] = p;
        }
        return Arrays.copyOf(pages, n);
    }

    private static final byte[] ZERO = new byte[4096];

    Image copy() {
        Image i = new Image();
        System.arraycopy(bytes, 0, i.bytes, 0, SIZE);
        return i;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Image i && Arrays.equals(bytes, i.bytes); }

    @Override
    public int hashCode() { return Arrays.hashCode(bytes); }
}
