package popek.linux.tty;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.abi.Signals;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.FileDescription;
import popek.linux.waiter.Events;

/**
 * The terminal ioctls of both pty ends (tty_ioctl, tty_mode_ioctl, n_tty_ioctl and pty_unix98_ioctl), with i386's
 * numbers and layouts. Settings and the window size always belong to the slave's terminal, from either end; the
 * Unix98 calls (TIOCGPTN, TIOCSPTLCK, TIOCGPTPEER...) are the master's only.
 */
final class TtyIoctls {
    private TtyIoctls() { }

    static final int TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TCGETA = 0x5405,
            TCSETA = 0x5406, TCSETAW = 0x5407, TCSETAF = 0x5408, TCSBRK = 0x5409, TCXONC = 0x540A, TCFLSH = 0x540B,
            TIOCEXCL = 0x540C, TIOCNXCL = 0x540D, TIOCSCTTY = 0x540E, TIOCGPGRP = 0x540F, TIOCSPGRP = 0x5410,
            TIOCOUTQ = 0x5411, TIOCSTI = 0x5412, TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, TIOCGSOFTCAR = 0x5419,
            TIOCSSOFTCAR = 0x541A, FIONREAD = 0x541B, FIONBIO = 0x5421, TIOCNOTTY = 0x5422, TIOCSETD = 0x5423,
            TIOCGETD = 0x5424, TCSBRKP = 0x5425, TIOCSBRK = 0x5427, TIOCCBRK = 0x5428, TIOCGSID = 0x5429,
            TCGETS2 = 0x802C542A, TCSETS2 = 0x402C542B, TCSETSW2 = 0x402C542C, TCSETSF2 = 0x402C542D,
            TIOCGPTN = 0x80045430, TIOCSPTLCK = 0x40045431, TIOCGDEV = 0x80045432, TIOCSIG = 0x40045436,
            TIOCGPTLCK = 0x80045439, TIOCGEXCL = 0x80045440, TIOCGPTPEER = 0x5441;
    /** TCFLSH and TCXONC arguments. */
    static final int TCIFLUSH = 0, TCOFLUSH = 1, TCIOFLUSH = 2;

    static int ioctl(Task t, Pty p, FileDescription f, boolean master, int cmd, int arg) {
        UserMemory m = t.memory();
        long at = UserMemory.u(arg);
        switch (cmd) {
            case TCGETS, TCGETS2, TCGETA -> {
                int size = size(cmd);
                byte[] b = new byte[size];
                p.termios.encode(b, size);
                m.write(at, b, 0, size);
                return 0;
            }
            case TCSETS, TCSETSW, TCSETSF, TCSETA, TCSETAW, TCSETAF, TCSETS2, TCSETSW2, TCSETSF2 -> {
                return setTermios(t, p, cmd, at);
            }
            case TIOCGWINSZ -> {
                m.writeShort(at, (short) p.rows);
                m.writeShort(at + 2, (short) p.cols);
                m.writeShort(at + 4, (short) p.xpixel);
                m.writeShort(at + 6, (short) p.ypixel);
                return 0;
            }
            case TIOCSWINSZ -> {
                m.probe(at, 8, false);
                p.setWindowSize(m.readShort(at) & 0xFFFF, m.readShort(at + 2) & 0xFFFF, m.readShort(at + 4) & 0xFFFF,
                        m.readShort(at + 6) & 0xFFFF);
                return 0;
            }
            case TCFLSH -> { return flush(t, p, master, arg); }
            case TCXONC -> {
                int r = JobControl.check(t, p, Signals.SIGTTOU);
                if (r != 0) return r;
                if (arg < 0 || arg > 3) return -Errno.EINVAL;
                p.ldisc.flowControl(arg);
                return 0;
            }
            case TCSBRK, TCSBRKP, TIOCSBRK, TIOCCBRK -> {
                // A pty has no line to send a break on, and nothing waits in a driver: tcdrain returns at once.
                return JobControl.check(t, p, Signals.SIGTTOU);
            }
            case FIONREAD -> {
                m.writeInt(at, master ? p.masterAvailable() : p.ldisc.inputCount());
                return 0;
            }
            case TIOCOUTQ -> {
                m.writeInt(at, 0);   // a pty keeps nothing in a driver buffer (Linux reports 0 too)
                return 0;
            }
            case FIONBIO -> {
                boolean on = m.readInt(at) != 0;
                f.setFlags(on ? f.flags() | FileFlags.O_NONBLOCK : f.flags() & ~FileFlags.O_NONBLOCK);
                return 0;
            }
            case TIOCGPGRP -> {
                if (!master && !JobControl.controls(t, p)) return -Errno.ENOTTY;
                m.writeInt(at, p.foreground == null ? 0 : p.foreground.pgid(t.pidNamespace()));
                return 0;
            }
            case TIOCSPGRP -> {
                m.probe(at, 4, false);
                return JobControl.setForeground(t, p, m.readInt(at));
            }
            case TIOCGSID -> {
                if (!master && !JobControl.controls(t, p)) return -Errno.ENOTTY;
                if (p.session == null) return -Errno.ENOTTY;
                m.writeInt(at, p.session.sid(t.pidNamespace()));
                return 0;
            }
            case TIOCSCTTY -> { return JobControl.setControlling(t, p, arg, f.readable()); }
            case TIOCNOTTY -> { return master ? -Errno.ENOTTY : JobControl.giveUp(t, p); }
            case TIOCSTI -> {
                if (master || (!JobControl.controls(t, p) && !t.credentials().privileged())) return -Errno.EPERM;
                byte[] b = {m.readByte(at)};
                p.masterWrite(b, 0, 1);
                return 0;
            }
            case TIOCGETD -> {
                m.writeInt(at, 0);   // N_TTY, the only discipline
                return 0;
            }
            case TIOCSETD -> { return m.readInt(at) == 0 ? 0 : -Errno.EINVAL; }
            case TIOCGSOFTCAR -> {
                m.writeInt(at, (p.termios.cflag & Termios.CLOCAL) != 0 ? 1 : 0);
                return 0;
            }
            case TIOCSSOFTCAR -> {
                boolean on = m.readInt(at) != 0;
                p.termios.cflag = on ? p.termios.cflag | Termios.CLOCAL : p.termios.cflag & ~Termios.CLOCAL;
                return 0;
            }
            case TIOCEXCL, TIOCNXCL -> {
                p.exclusive = cmd == TIOCEXCL;
                return 0;
            }
            case TIOCGEXCL -> {
                m.writeInt(at, p.exclusive ? 1 : 0);
                return 0;
            }
            case TIOCGDEV -> {
                m.writeInt(at, (int) Terminals.rdev(Terminals.PTS_MAJOR, p.index));
                return 0;
            }
            default -> { return master ? masterOnly(t, p, cmd, arg, at) : -Errno.ENOTTY; }
        }
    }

    /** The Unix98 master's own calls. */
    private static int masterOnly(Task t, Pty p, int cmd, int arg, long at) {
        UserMemory m = t.memory();
        switch (cmd) {
            case TIOCGPTN -> {
                m.writeInt(at, p.index);
                return 0;
            }
            case TIOCSPTLCK -> {
                p.locked = m.readInt(at) != 0;
                return 0;
            }
            case TIOCGPTLCK -> {
                m.writeInt(at, p.locked ? 1 : 0);
                return 0;
            }
            case TIOCSIG -> {
                if (arg != Signals.SIGINT && arg != Signals.SIGQUIT && arg != Signals.SIGTSTP) return -Errno.EINVAL;
                p.signal(arg);
                return 0;
            }
            case TIOCGPTPEER -> {
                int flags = arg & (FileFlags.O_ACCMODE | FileFlags.O_NONBLOCK | FileFlags.O_NOCTTY | FileFlags.O_CLOEXEC);
                FileDescription slave = p.terminals.openSlave(p, flags);
                int fd = t.fds().install(slave, 0, (flags & FileFlags.O_CLOEXEC) != 0);
                if (fd < 0) slave.close();
                return fd;
            }
            default -> { return -Errno.ENOTTY; }
        }
    }

    private static int size(int cmd) {
        return switch (cmd) {
            case TCGETA, TCSETA, TCSETAW, TCSETAF -> Termios.SIZE_TERMIO;
            case TCGETS2, TCSETS2, TCSETSW2, TCSETSF2 -> Termios.SIZE2;
            default -> Termios.SIZE;
        };
    }

    /** set_termios: a background job is stopped (SIGTTOU); the F variants flush typed input first. */
    private static int setTermios(Task t, Pty p, int cmd, long at) {
        int r = JobControl.check(t, p, Signals.SIGTTOU);
        if (r != 0) return r;
        int size = size(cmd);
        byte[] b = new byte[size];
        t.memory().read(at, b, 0, size);
        if (cmd == TCSETSF || cmd == TCSETAF || cmd == TCSETSF2) p.flushInput();
        Termios old = p.termios.copy();
        p.termios.decode(b, size);
        // pty_set_termios: a pty is always 8 bits, no parity, receiving.
        p.termios.cflag = (p.termios.cflag & ~(Termios.CSIZE | Termios.PARENB)) | Termios.CS8 | Termios.CREAD;
        p.ldisc.settingsChanged(old);
        p.feed();
        p.slaveQueue.notify(Events.POLLIN | Events.POLLOUT | Events.POLLRDNORM | Events.POLLWRNORM);
        return 0;
    }

    private static int flush(Task t, Pty p, boolean master, int arg) {
        int r = JobControl.check(t, p, Signals.SIGTTOU);
        if (r != 0) return r;
        if (arg < TCIFLUSH || arg > TCIOFLUSH) return -Errno.EINVAL;
        boolean input = arg != TCOFLUSH, output = arg != TCIFLUSH;
        // The master's input is what the slave wrote; its output is what waits to be typed at the slave.
        if (master ? output : input) p.flushInput();
        if (master ? input : output) p.flushOutput();
        return 0;
    }
}
