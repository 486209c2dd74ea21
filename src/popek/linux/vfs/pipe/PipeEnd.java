package popek.linux.vfs.pipe;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;
import popek.linux.vfs.StatBuf;
import popek.linux.waiter.WaitQueue;

/**
 * An open end of a pipe: the read end, the write end, or (a FIFO opened O_RDWR) both. A FIFO's ends stat as the FIFO's
 * inode and show its path; a pipe's show "pipe:[ino]".
 */
public final class PipeEnd extends FileDescription {
    /** fcntl commands for the pipe's size. */
    public static final int F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;

    private final Pipe pipe;
    private final boolean readEnd, writeEnd;
    private final int openFlags;
    private final Location fifo;

    PipeEnd(Pipe pipe, int flags, Location fifo) {
        super(flags);
        this.pipe = pipe;
        this.openFlags = flags;
        this.fifo = fifo;
        int acc = flags & FileFlags.O_ACCMODE;
        this.readEnd = acc != FileFlags.O_WRONLY;
        this.writeEnd = acc != FileFlags.O_RDONLY;
    }

    @Override
    public int read(Caller c, UserBuffer dst) { return readEnd ? pipe.read(dst) : -Errno.EBADF; }

    @Override
    public int write(Caller c, UserBuffer src) { return writeEnd ? pipe.write(src) : -Errno.EBADF; }

    @Override
    public int readiness(int mask) { return pipe.readiness(readEnd, writeEnd, mask); }

    @Override
    public WaitQueue waitQueue() { return pipe.queue; }

    @Override
    public int ioctl(Caller c, int cmd, int arg) {
        if (cmd == 0x541B) {   // FIONREAD
            c.memory().writeInt(arg & 0xFFFFFFFFL, pipe.available());
            return 0;
        }
        return -Errno.ENOTTY;
    }

    /** F_GETPIPE_SZ and F_SETPIPE_SZ. */
    public int pipeSize(int cmd, int arg) {
        if (cmd == F_GETPIPE_SZ) return pipe.capacity();
        return pipe.resize(arg);
    }

    @Override
    public int stat(Caller c, StatBuf out) {
        if (fifo != null) fifo.inode().stat(out);
        else pipe.stat(out);
        return 0;
    }

    @Override
    public String path() { return fifo != null ? fifo.absolutePath() : "pipe:[" + pipe.ino + "]"; }

    /** The FIFO this end was opened at, or null for pipe(2)'s. */
    public Location fifo() { return fifo; }

    /** The same pipe opened again with new flags (/proc/[pid]/fd/N of a pipe opened by path). */
    public FileDescription reopen(int flags) { return pipe.open(flags, fifo); }

    @Override
    protected void release() { pipe.closed(openFlags); }
}
