package popek.linux.tty;

/**
 * The output half of the line discipline: what a program writes and what the terminal echoes, turned into the bytes
 * the other end reads, with n_tty's output processing (OPOST: ONLCR, OCRNL, ONOCR, ONLRET, OLCUC, XTABS) and its
 * column count, which tab expansion and the erasing of a tab need. Echoes wait in a buffer of their own until there is
 * room (and output is not stopped by ^S); a write goes out only after the echoes before it.
 */
final class OutputProcessor {
    /** Where processed bytes go: the pty master's buffer, or the host terminal. */
    interface Sink {
        /** Bytes that fit now. */
        int room();

        void output(byte[] b, int off, int len);
    }

    private static final int ECHO_SIZE = 4096;

    private final Termios termios;
    private final Sink sink;
    /** Echoes already processed, waiting to go out. */
    private final byte[] echoes = new byte[ECHO_SIZE];
    private int echoCount;
    /** Staging for one write's processed bytes. */
    private final byte[] staged = new byte[1024];
    private int stagedCount;
    /** The cursor column as n_tty counts it, and the column where the current input line began. */
    int column, canonColumn;

    OutputProcessor(Termios termios, Sink sink) {
        this.termios = termios;
        this.sink = sink;
    }

    boolean echoesPending() { return echoCount > 0; }

    void dropEchoes() { echoCount = 0; }

    /**
     * Writes up to {@code len} bytes of a program's output; returns how many were taken (0: no room now). Pending
     * echoes go first; none of the write goes before they are all out.
     */
    int write(byte[] src, int off, int len) {
        if (!flushEchoes()) return 0;
        int room = sink.room();
        if (room <= 0) return 0;
        if (!termios.oflag(Termios.OPOST)) {
            int take = Math.min(len, room);
            sink.output(src, off, take);
            return take;
        }
        int done = 0;
        stagedCount = 0;
        while (done < len) {
            int c = src[off + done] & 0xFF;
            int need = need(c);
            if (need > room) break;
            if (stagedCount + need > staged.length) {
                sink.output(staged, 0, stagedCount);
                stagedCount = 0;
            }
            int before = stagedCount;
            process(c);
            room -= stagedCount - before;
            done++;
        }
        if (stagedCount > 0) sink.output(staged, 0, stagedCount);
        return done;
    }

    /** The bytes {@code c} becomes (at most), so a write never overfills its sink. */
    private int need(int c) {
        if (c == '\n' && termios.oflag(Termios.ONLCR)) return 2;
        if (c == '\t' && (termios.oflag & Termios.TABDLY) == Termios.XTABS) return 8 - (column & 7);
        return 1;
    }

    /**
     * How many bytes {@link #write} is sure to take now, whatever they are: the sink's room divided by the most one
     * byte can become (a tab under XTABS: 8; a newline under ONLCR: 2).
     */
    int capacity() {
        int room = sink.room();
        if (!termios.oflag(Termios.OPOST)) return room;
        if ((termios.oflag & Termios.TABDLY) == Termios.XTABS) return room / 8;
        return termios.oflag(Termios.ONLCR) ? room / 2 : room;
    }

    /** Sends waiting echoes as far as there is room; true when none is left. */
    boolean flushEchoes() {
        if (echoCount == 0) return true;
        int n = Math.min(echoCount, sink.room());
        if (n <= 0) return false;
        sink.output(echoes, 0, n);
        System.arraycopy(echoes, n, echoes, 0, echoCount - n);
        echoCount -= n;
        return echoCount == 0;
    }

    /** Sends {@code c} out as it is, ahead of nothing else (TCIOFF/TCION's STOP and START characters). */
    void sendRaw(int c) {
        staged[0] = (byte) c;
        sink.output(staged, 0, 1);
    }

    // ---------------------------------------------------------------- echoes

    /** echo_char_raw: {@code c} through output processing (when OPOST is set). */
    void echoRaw(int c) {
        if (termios.oflag(Termios.OPOST)) {
            stagedCount = 0;
            process(c);
            queueEcho(staged, stagedCount);
        } else {
            queueEcho(c);
        }
    }

    /** echo_char: a control character (but tab) as ^X when ECHOCTL is set, anything else as {@link #echoRaw}. */
    void echo(int c) {
        if (termios.lflag(Termios.ECHOCTL) && isControl(c) && c != '\t') {
            queueEcho('^');
            queueEcho(c ^ 0100);
            column += 2;
        } else {
            echoRaw(c);
        }
    }

    /** Moves back {@code n} columns with backspaces (erasing a tab). */
    void echoBackspaces(int n) {
        for (int i = 0; i < n; i++) {
            queueEcho('\b');
            if (column > 0) column--;
        }
    }

    /** Undoes the column count of one echoed byte (a multi-byte character printed by ECHOPRT). */
    void moveBackColumn() {
        if (column > 0) column--;
    }

    private void queueEcho(byte[] b, int n) {
        for (int i = 0; i < n; i++) queueEcho(b[i]);
    }

    private void queueEcho(int c) {
        if (echoCount < ECHO_SIZE) echoes[echoCount++] = (byte) c;
    }

    // ---------------------------------------------------------------- do_output_char

    /** One byte through OPOST processing into {@link #staged}, counting columns. */
    private void process(int c) {
        switch (c) {
            case '\n' -> {
                if (termios.oflag(Termios.ONLRET)) column = 0;
                if (termios.oflag(Termios.ONLCR)) {
                    canonColumn = column = 0;
                    stage('\r');
                    stage('\n');
                    return;
                }
                canonColumn = column;
            }
            case '\r' -> {
                if (termios.oflag(Termios.ONOCR) && column == 0) return;
                if (termios.oflag(Termios.OCRNL)) {
                    c = '\n';
                    if (termios.oflag(Termios.ONLRET)) canonColumn = column = 0;
                } else {
                    canonColumn = column = 0;
                }
            }
            case '\t' -> {
                int spaces = 8 - (column & 7);
                column += spaces;
                if ((termios.oflag & Termios.TABDLY) == Termios.XTABS) {
                    for (int i = 0; i < spaces; i++) stage(' ');
                    return;
                }
            }
            case '\b' -> {
                if (column > 0) column--;
            }
            default -> {
                if (!isControl(c)) {
                    if (termios.oflag(Termios.OLCUC)) c = upper(c);
                    if (!continuation(c)) column++;
                }
            }
        }
        stage(c);
    }

    private void stage(int c) { staged[stagedCount++] = (byte) c; }

    /** A UTF-8 continuation byte when IUTF8 is set: it does not move the cursor. */
    boolean continuation(int c) { return termios.iflag(Termios.IUTF8) && (c & 0xC0) == 0x80; }

    /** The kernel's toupper (Latin-1 lower-case letters too). */
    private static int upper(int c) {
        if ((c >= 'a' && c <= 'z') || (c >= 0xE0 && c <= 0xFE && c != 0xF7)) return c - 0x20;
        return c;
    }

    /** iscntrl in the kernel's ctype: 0-31 and 127 (Latin-1's 128-159 too). */
    static boolean isControl(int c) { return c < 32 || c == 127 || (c >= 128 && c < 160); }
}
