package popek.linux.tty;

/** A bounded byte queue in a ring: a pty's bytes on their way from one end to the other. */
final class ByteRing {
    private final byte[] data;
    private int head, count;

    ByteRing(int capacity) { data = new byte[capacity]; }

    int count() { return count; }

    int free() { return data.length - count; }

    boolean isEmpty() { return count == 0; }

    void clear() { head = count = 0; }

    /** Appends as much of {@code b} as fits; returns how much. */
    int put(byte[] b, int off, int len) {
        int n = Math.min(len, free());
        for (int i = 0; i < n; ) {
            int at = (head + count) % data.length;
            int run = Math.min(n - i, data.length - at);
            System.arraycopy(b, off + i, data, at, run);
            count += run;
            i += run;
        }
        return n;
    }

    /** Takes up to {@code len} bytes into {@code dst}; returns how many. */
    int take(byte[] dst, int off, int len) {
        int n = Math.min(len, count);
        for (int i = 0; i < n; ) {
            int run = Math.min(n - i, data.length - head);
            System.arraycopy(data, head, dst, off + i, run);
            head = (head + run) % data.length;
            count -= run;
            i += run;
        }
        return n;
    }

    /** The array and offset of the first contiguous run of waiting bytes, for a consumer that takes in place. */
    byte[] array() { return data; }

    int head() { return head; }

    /** Bytes from {@link #head()} to the end of the array or of the data. */
    int contiguous() { return Math.min(count, data.length - head); }

    /** Drops the first {@code n} waiting bytes (a consumer took them in place). */
    void skip(int n) {
        head = (head + n) % data.length;
        count -= n;
    }
}
