package popek.linux.tty;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.Task;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * The master end of a pty, what opening /dev/ptmx gives: writing it types at the terminal, reading it shows what the
 * terminal displays. Reads fail with EIO once the slave was opened and closed again; closing it hangs the slave up.
 */
final class PtyMaster extends FileDescription {
    private final Pty pty;
    /** The node it was opened through (null: none known, it describes itself as devpts's ptmx). */
    private final TerminalNode node;
    private final byte[] buffer = new byte[4096];

    PtyMaster(Pty pty, int flags, TerminalNode node) {
        super(flags);
        this.pty = pty;
        this.node = node;
    }

    Pty pty() { return pty; }

    @Override
    public int read(Caller c, UserBuffer dst) {
        if (pty.masterAvailable() == 0) return pty.slaveClosed ? -Errno.EIO : -Errno.EAGAIN;
        int total = 0;
        while (dst.remaining() > 0 && pty.masterAvailable() > 0) {
            int n = pty.masterRead(buffer, 0, Math.min(dst.remaining(), buffer.length));
            int moved = dst.copyOut(buffer, 0, n);
            total += moved;
            if (moved < n) break;
        }
        return total;
    }

    @Override
    public int write(Caller c, UserBuffer src) {
        int total = 0;
        while (src.remaining() > 0) {
            int n = Math.min(Math.min(src.remaining(), buffer.length), pty.masterRoom());
            if (n == 0) break;
            int copied = src.copyIn(buffer, 0, n);
            pty.masterWrite(buffer, 0, copied);
            total += copied;
            if (copied < n) break;
        }
        return total > 0 ? total : -Errno.EAGAIN;
    }

    @Override
    public int readiness(int mask) {
        int r = 0;
        if (pty.masterAvailable() > 0) r |= Events.POLLIN | Events.POLLRDNORM;
        if (pty.masterRoom() > 0) r |= Events.POLLOUT | Events.POLLWRNORM;
        if (pty.slaveClosed) r |= Events.POLLHUP;
        return r & (mask | Events.POLLHUP | Events.POLLERR);
    }

    @Override
    public WaitQueue waitQueue() { return pty.masterQueue; }

    @Override
    public int ioctl(Caller c, int cmd, int arg) { return TtyIoctls.ioctl(Terminals.task(c), pty, this, true, cmd, arg); }

    @Override
    public int stat(Caller c, StatBuf out) {
        if (node != null) {
            node.stat(out);
            return 0;
        }
        out.clear();
        out.mode = FileFlags.S_IFCHR | 0666;
        out.rdev = Terminals.rdev(Terminals.TTYAUX_MAJOR, Terminals.PTMX_MINOR);
        out.ino = 2;
        out.dev = Terminals.DEVPTS_DEV;
        out.nlink = 1;
        out.blksize = 1024;
        return 0;
    }

    @Override
    public String path() { return node != null ? node.path() : "/dev/pts/ptmx"; }

    @Override
    protected void release() { pty.masterReleased(); }
}
