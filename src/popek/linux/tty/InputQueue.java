package popek.linux.tty;

/**
 * The line discipline's input buffer (n_tty's read_buf): 4096 bytes in a ring, with three positions. Bytes before
 * {@code canonHead} are committed lines a canonical read may take; bytes between it and {@code head} are the line
 * being edited (in raw mode everything is committed at once). Each byte may end a line (newline, EOL, EOL2, or the
 * EOF marker, which ends a line but is never read).
 */
final class InputQueue {
    /** N_TTY_BUF_SIZE. */
    static final int SIZE = 4096;
    private static final int MASK = SIZE - 1;
    private static final byte DELIMITER = 1, EOF_MARK = 2;

    private final byte[] data = new byte[SIZE];
    private final byte[] marks = new byte[SIZE];
    /** Free-running positions: tail (next to read) <= canonHead <= head (next to write). */
    private int tail, canonHead, head;

    int used() { return head - tail; }

    int free() { return SIZE - used(); }

    /** Bytes a raw-mode read may take. */
    int committed() { return head - tail; }

    boolean hasLine() { return canonHead != tail; }

    boolean editing() { return head != canonHead; }

    /** The line being edited is empty. */
    boolean lineEmpty() { return head == canonHead; }

    void put(int c) {
        data[head & MASK] = (byte) c;
        marks[head & MASK] = 0;
        head++;
    }

    /** Ends the line being edited with {@code c} ({@code eof}: the EOF marker, which a read drops). */
    void putDelimiter(int c, boolean eof) {
        data[head & MASK] = (byte) c;
        marks[head & MASK] = (byte) (DELIMITER | (eof ? EOF_MARK : 0));
        head++;
        canonHead = head;
    }

    /** Commits everything (raw mode, or a switch out of canonical mode). */
    void commitAll() { canonHead = head; }

    /** A switch into canonical mode with bytes waiting: they become one line, as n_tty does ("push"). */
    void pushAsLine() {
        for (int i = tail; i < head; i++) marks[i & MASK] = 0;
        if (head != tail) marks[(head - 1) & MASK] = DELIMITER;
        canonHead = head;
    }

    /** The byte {@code back} positions before the head (1: the last one). */
    int peekBack(int back) { return data[(head - back) & MASK] & 0xFF; }

    /** Bytes in the line being edited. */
    int lineLength() { return head - canonHead; }

    /** The byte at position {@code i} of the line being edited. */
    int lineByte(int i) { return data[(canonHead + i) & MASK] & 0xFF; }

    /** Drops the last byte of the line being edited. */
    void unput() { head--; }

    /** Drops the whole line being edited. */
    void killLine() { head = canonHead; }

    void clear() { tail = canonHead = head = 0; }

    /** Raw read: up to {@code len} committed bytes into {@code dst}. */
    int readRaw(byte[] dst, int off, int len) {
        int n = Math.min(len, canonHead - tail);
        for (int i = 0; i < n; i++) dst[off + i] = data[(tail + i) & MASK];
        tail += n;
        return n;
    }

    /**
     * Canonical read: the first committed line, up to {@code len} bytes of it (the rest stays for the next read); the
     * delimiter is included unless it is the EOF marker. Returns the count, which is 0 for an empty line ended by EOF.
     */
    int readLine(byte[] dst, int off, int len) {
        int n = 0;
        while (tail != canonHead && n < len) {
            int at = tail & MASK;
            byte m = marks[at];
            tail++;
            if ((m & EOF_MARK) != 0) return n;
            dst[off + n++] = data[at];
            if ((m & DELIMITER) != 0) return n;
        }
        // The reader's buffer is full: an EOF marker right behind is dropped, so the next read does not see an
        // empty line (canon_skip_eof).
        if (tail != canonHead && (marks[tail & MASK] & EOF_MARK) != 0) tail++;
        return n;
    }

    /** FIONREAD in canonical mode: the bytes of committed lines, EOF markers not counted (inq_canon). */
    int canonicalCount() {
        int n = 0;
        for (int i = tail; i != canonHead; i++) if ((marks[i & MASK] & EOF_MARK) == 0) n++;
        return n;
    }
}
