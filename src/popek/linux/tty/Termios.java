package popek.linux.tty;

import java.util.Arrays;

/**
 * A terminal's settings (struct termios, asm-generic/termbits.h as i386 Linux lays it out): the four flag words, the
 * line discipline number, the 19 control characters and the two speeds. Mutable; the encodings are the kernel's
 * {@code struct termios} (36 bytes, TCGETS), {@code struct termios2} (44, TCGETS2) and the old {@code struct termio}
 * (18, TCGETA), all little-endian.
 */
public final class Termios {
    // c_iflag
    public static final int IGNBRK = 01, BRKINT = 02, IGNPAR = 04, PARMRK = 010, INPCK = 020, ISTRIP = 040, INLCR = 0100,
            IGNCR = 0200, ICRNL = 0400, IUCLC = 01000, IXON = 02000, IXANY = 04000, IXOFF = 010000, IMAXBEL = 020000,
            IUTF8 = 040000;
    // c_oflag
    public static final int OPOST = 01, OLCUC = 02, ONLCR = 04, OCRNL = 010, ONOCR = 020, ONLRET = 040, OFILL = 0100,
            OFDEL = 0200, TABDLY = 014000, XTABS = 014000;
    // c_cflag
    public static final int CBAUD = 010017, B38400 = 017, CSIZE = 060, CS8 = 060, CSTOPB = 0100, CREAD = 0200,
            PARENB = 0400, PARODD = 01000, HUPCL = 02000, CLOCAL = 04000, CBAUDEX = 010000, BOTHER = 010000,
            CIBAUD = 002003600000, IBSHIFT = 16;
    // c_lflag
    public static final int ISIG = 01, ICANON = 02, XCASE = 04, ECHO = 010, ECHOE = 020, ECHOK = 040, ECHONL = 0100,
            NOFLSH = 0200, TOSTOP = 0400, ECHOCTL = 01000, ECHOPRT = 02000, ECHOKE = 04000, FLUSHO = 010000,
            PENDIN = 040000, IEXTEN = 0100000, EXTPROC = 0200000;
    // c_cc indexes
    public static final int VINTR = 0, VQUIT = 1, VERASE = 2, VKILL = 3, VEOF = 4, VTIME = 5, VMIN = 6, VSWTC = 7,
            VSTART = 8, VSTOP = 9, VSUSP = 10, VEOL = 11, VREPRINT = 12, VDISCARD = 13, VWERASE = 14, VLNEXT = 15,
            VEOL2 = 16, NCCS = 19;
    /** Sizes of the three encodings. */
    public static final int SIZE = 36, SIZE2 = 44, SIZE_TERMIO = 18;

    public int iflag, oflag, cflag, lflag;
    public byte line;
    public final byte[] cc = new byte[NCCS];
    public int ispeed = 38400, ospeed = 38400;

    /**
     * A pty slave's settings when it is first opened: Linux's tty_std_termios with the pts driver's c_cflag
     * (B38400 | CS8 | CREAD), i.e. what {@code stty -a} shows in a fresh {@code docker run -t}.
     */
    public static Termios ptySlaveDefaults() {
        Termios t = new Termios();
        t.iflag = ICRNL | IXON;
        t.oflag = OPOST | ONLCR;
        t.cflag = B38400 | CS8 | CREAD;
        t.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
        // INIT_C_CC: ^C ^\ DEL ^U ^D, TIME 0, MIN 1, SWTC 0, ^Q ^S ^Z, EOL 0, ^R ^O ^W ^V, EOL2 0
        byte[] init = {3, 034, 0177, 025, 4, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0, 0, 0};
        System.arraycopy(init, 0, t.cc, 0, NCCS);
        return t;
    }

    public Termios copy() {
        Termios t = new Termios();
        t.set(this);
        return t;
    }

    public void set(Termios o) {
        iflag = o.iflag;
        oflag = o.oflag;
        cflag = o.cflag;
        lflag = o.lflag;
        line = o.line;
        System.arraycopy(o.cc, 0, cc, 0, NCCS);
        ispeed = o.ispeed;
        ospeed = o.ospeed;
    }

    public boolean lflag(int bits) { return (lflag & bits) != 0; }

    public boolean iflag(int bits) { return (iflag & bits) != 0; }

    public boolean oflag(int bits) { return (oflag & bits) != 0; }

    /** Control character {@code index} as an unsigned value (0: disabled). */
    public int cc(int index) { return cc[index] & 0xFF; }

    // ---------------------------------------------------------------- encodings

    /** struct termios (or termios2 when {@code size} is {@link #SIZE2}) into {@code out}. */
    public void encode(byte[] out, int size) {
        Arrays.fill(out, 0, size, (byte) 0);
        if (size == SIZE_TERMIO) {
            putShort(out, 0, iflag);
            putShort(out, 2, oflag);
            putShort(out, 4, cflag);
            putShort(out, 6, lflag);
            out[8] = line;
            System.arraycopy(cc, 0, out, 9, 8);
            return;
        }
        putInt(out, 0, iflag);
        putInt(out, 4, oflag);
        putInt(out, 8, cflag);
        putInt(out, 12, lflag);
        out[16] = line;
        System.arraycopy(cc, 0, out, 17, NCCS);
        if (size == SIZE2) {
            putInt(out, 36, ispeed);
            putInt(out, 40, ospeed);
        }
    }

    /**
     * Takes the settings of a struct termios, termios2 or termio. As Linux's TCSETS does, the speeds follow the baud
     * bits of c_cflag unless termios2 sets BOTHER; the old termio replaces only the low 16 bits of each flag word.
     */
    public void decode(byte[] in, int size) {
        if (size == SIZE_TERMIO) {
            iflag = (iflag & 0xFFFF0000) | getShort(in, 0);
            oflag = (oflag & 0xFFFF0000) | getShort(in, 2);
            cflag = (cflag & 0xFFFF0000) | getShort(in, 4);
            lflag = (lflag & 0xFFFF0000) | getShort(in, 6);
            line = in[8];
            System.arraycopy(in, 9, cc, 0, 8);
        } else {
            iflag = getInt(in, 0);
            oflag = getInt(in, 4);
            cflag = getInt(in, 8);
            lflag = getInt(in, 12);
            line = in[16];
            System.arraycopy(in, 17, cc, 0, NCCS);
        }
        int out = baud(cflag & CBAUD);
        int inBits = (cflag & CIBAUD) >>> IBSHIFT;
        if (size == SIZE2 && (cflag & CBAUD) == BOTHER) {
            ospeed = getInt(in, 40);
        } else if (out >= 0) {
            ospeed = out;
        }
        if (size == SIZE2 && inBits == BOTHER) ispeed = getInt(in, 36);
        else ispeed = inBits == 0 ? ospeed : Math.max(baud(inBits), 0);
    }

    private static final int[] RATES = {0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400};
    private static final int[] HIGH_RATES = {-1, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000,
            1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000};

    /** The rate of a Bnnn code (CBAUD bits), or -1 for BOTHER. */
    static int baud(int code) {
        return (code & CBAUDEX) == 0 ? RATES[code & 017] : HIGH_RATES[code & 017];
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
        b[at + 2] = (byte) (v >> 16);
        b[at + 3] = (byte) (v >> 24);
    }

    private static void putShort(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    private static int getInt(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    private static int getShort(byte[] b, int at) { return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8; }
}
