package popek.linux.tty;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.abi.Signals;
import popek.linux.kernel.Task;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * An open terminal: the slave end of a pty, opened as /dev/pts/N, /dev/tty or /dev/console (or inherited from
 * {@code popek run -t}). Reads take lines (canonical) or bytes by VMIN and VTIME; a background job that reads is
 * stopped with SIGTTIN, and with TOSTOP one that writes with SIGTTOU; after a hangup reads see the end and writes fail.
 */
final class PtySlave extends FileDescription {
    private static final long DECISECOND = 100_000_000L;

    private final Pty pty;
    private final String path;
    private final int major, minor;
    /** The node it was opened through (null: none known, it describes itself). */
    private final TerminalNode node;
    private final byte[] buffer = new byte[InputQueue.SIZE];

    PtySlave(Pty pty, int flags, String path, int major, int minor, TerminalNode node) {
        super(flags);
        this.pty = pty;
        this.path = path;
        this.major = major;
        this.minor = minor;
        this.node = node;
        pty.slaveOpened();
    }

    Pty pty() { return pty; }

    @Override
    public int read(Caller c, UserBuffer dst) {
        Task t = Terminals.task(c);
        if (pty.hungUp) return 0;
        int r = JobControl.check(t, pty, Signals.SIGTTIN);
        if (r != 0) return r;
        LineDiscipline ld = pty.ldisc;
        if (ld.canonical()) {
            if (!ld.readable(1)) return -Errno.EAGAIN;
            return take(dst, true);
        }
        int vmin = pty.termios.cc(Termios.VMIN), vtime = pty.termios.cc(Termios.VTIME);
        int avail = ld.available();
        long now = t.kernel().clock().monotonic();
        if (vmin == 0) {
            if (avail > 0) return take(dst, false);
            if (vtime == 0 || t.timedOut()) return 0;   // a poll of the terminal, or the whole wait timed out
            if (t.deadline() == Long.MAX_VALUE) t.setDeadline(now + vtime * DECISECOND);
            return -Errno.EAGAIN;
        }
        int want = Math.min(vmin, dst.remaining());
        if (avail >= want || (avail > 0 && (nonBlocking() || t.timedOut() || t.signalPending()))) return take(dst, false);
        if (avail > 0 && vtime > 0 && avail != t.progress()) {
            // VMIN and VTIME: the inter-byte timer starts again with every byte that arrives.
            t.setProgress(avail);
            t.setDeadline(now + vtime * DECISECOND);
        }
        return -Errno.EAGAIN;
    }

    /** Moves a line (canonical) or every waiting byte that fits into {@code dst}; lets more input in. */
    private int take(UserBuffer dst, boolean line) {
        int total = 0;
        do {
            int n = pty.ldisc.read(buffer, 0, Math.min(dst.remaining(), buffer.length));
            if (n == 0) break;
            int moved = dst.copyOut(buffer, 0, n);   // a bad page: the rest of what was taken is lost, as in Linux
            total += moved;
            if (moved < n) break;
        } while (!line && dst.remaining() > 0 && pty.ldisc.available() > 0);
        pty.feed();
        return total;
    }

    @Override
    public int write(Caller c, UserBuffer src) {
        Task t = Terminals.task(c);
        if (pty.hungUp) return -Errno.EIO;
        if (pty.termios.lflag(Termios.TOSTOP)) {
            int r = JobControl.check(t, pty, Signals.SIGTTOU);
            if (r != 0) return r;
        }
        int total = 0;
        while (src.remaining() > 0) {
            int n = Math.min(Math.min(src.remaining(), buffer.length), pty.ldisc.writable());
            if (n == 0) break;
            int copied = src.copyIn(buffer, 0, n);
            pty.ldisc.write(buffer, 0, copied);
            total += copied;
            if (copied < n) break;
        }
        return total > 0 ? total : -Errno.EAGAIN;
    }

    @Override
    public int readiness(int mask) {
        int always = Events.POLLERR | Events.POLLHUP;
        if (pty.hungUp) return (Events.POLLIN | Events.POLLOUT | Events.POLLRDNORM | Events.POLLWRNORM | always) & (mask | always);
        int r = 0;
        Termios tm = pty.termios;
        int vmin = tm.cc(Termios.VMIN);
        int amount = !pty.ldisc.canonical() && tm.cc(Termios.VTIME) == 0 && vmin > 0 ? vmin : 1;
        if (pty.ldisc.readable(amount)) r |= Events.POLLIN | Events.POLLRDNORM;
        if (pty.slaveWritable()) r |= Events.POLLOUT | Events.POLLWRNORM;
        return r & mask;
    }

    @Override
    public WaitQueue waitQueue() { return pty.slaveQueue; }

    @Override
    public int ioctl(Caller c, int cmd, int arg) {
        if (pty.hungUp) return cmd == TtyIoctls.TIOCSPGRP ? -Errno.ENOTTY : -Errno.EIO;
        return TtyIoctls.ioctl(Terminals.task(c), pty, this, false, cmd, arg);
    }

    @Override
    public int stat(Caller c, StatBuf out) {
        if (node != null) {
            node.stat(out);
            return 0;
        }
        out.clear();
        out.mode = FileFlags.S_IFCHR | (major == Terminals.PTS_MAJOR ? 0620 : 0666);
        out.rdev = Terminals.rdev(major, minor);
        out.uid = major == Terminals.PTS_MAJOR ? pty.ownerUid : 0;
        out.gid = major == Terminals.PTS_MAJOR ? Terminals.TTY_GID : 0;
        out.ino = major == Terminals.PTS_MAJOR ? pty.index + 3 : minor + 1;
        out.dev = Terminals.DEVPTS_DEV;
        out.nlink = 1;
        out.blksize = 1024;
        return 0;
    }

    @Override
    public String path() { return node != null ? node.path() : path; }

    @Override
    protected void release() { pty.slaveReleased(); }
}
