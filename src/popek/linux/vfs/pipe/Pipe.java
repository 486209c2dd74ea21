package popek.linux.vfs.pipe;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * A pipe (fs/pipe.c): a 64 KiB buffer with a read end and a write end, each an open file. Reads return what is there
 * (0 once every writer is gone); writes of up to PIPE_BUF bytes are atomic; writing with no reader left is EPIPE.
 */
public final class Pipe {
    public static final int CAPACITY = 65536, PIPE_BUF = 4096;
    private static int nextIno = 1000;

    private final byte[] ring = new byte[CAPACITY];
    private int head, count;
    private int readers = 1, writers = 1;
    private final WaitQueue queue = new WaitQueue();
    private final int ino;

    private Pipe() { ino = nextIno++; }

    /** A new pipe's two ends: [read, write], each with the status flags given (O_NONBLOCK). */
    public static FileDescription[] create(int flags) {
        Pipe p = new Pipe();
        return new FileDescription[] {p.new End(FileFlags.O_RDONLY | (flags & FileFlags.O_NONBLOCK), true),
                p.new End(FileFlags.O_WRONLY | (flags & FileFlags.O_NONBLOCK), false)};
    }

    private int read(UserBuffer dst) {
        if (count == 0) return writers == 0 ? 0 : -Errno.EAGAIN;
        int total = 0;
        while (count > 0 && dst.remaining() > 0) {
            int n = Math.min(count, Math.min(dst.remaining(), CAPACITY - head));
            int moved = dst.copyOut(ring, head, n);
            head = (head + moved) % CAPACITY;
            count -= moved;
            total += moved;
            if (moved < n) break;
        }
        if (total > 0) queue.notify(Events.POLLOUT | Events.POLLWRNORM);
        return total;
    }

    private int write(UserBuffer src) {
        if (readers == 0) return -Errno.EPIPE;
        int want = src.remaining();
        int space = CAPACITY - count;
        if (space == 0 || (want <= PIPE_BUF && space < want)) return -Errno.EAGAIN;
        int total = 0;
        while (src.remaining() > 0 && count < CAPACITY) {
            int tail = (head + count) % CAPACITY;
            int n = Math.min(src.remaining(), Math.min(CAPACITY - count, CAPACITY - tail));
            int moved = src.copyIn(ring, tail, n);
            count += moved;
            total += moved;
            if (moved < n) break;
        }
        if (total > 0) queue.notify(Events.POLLIN | Events.POLLRDNORM);
        return total;
    }

    private int readiness(boolean readEnd, int mask) {
        int r = 0;
        if (readEnd) {
            if (count > 0) r |= Events.POLLIN | Events.POLLRDNORM;
            if (writers == 0) r |= Events.POLLHUP;
        } else {
            if (CAPACITY - count >= PIPE_BUF) r |= Events.POLLOUT | Events.POLLWRNORM;
            if (readers == 0) r |= Events.POLLERR;
        }
        return r & (mask | Events.POLLHUP | Events.POLLERR);
    }

    /** One end of the pipe. */
    private final class End extends FileDescription {
        private final boolean readEnd;

        End(int flags, boolean readEnd) {
            super(flags);
            this.readEnd = readEnd;
        }

        @Override
        public int read(Caller c, UserBuffer dst) { return readEnd ? Pipe.this.read(dst) : -Errno.EBADF; }

        @Override
        public int write(Caller c, UserBuffer src) { return readEnd ? -Errno.EBADF : Pipe.this.write(src); }

        @Override
        public int readiness(int mask) { return Pipe.this.readiness(readEnd, mask); }

        @Override
        public WaitQueue waitQueue() { return queue; }

        @Override
        public int ioctl(Caller c, int cmd, int arg) {
            if (cmd == 0x541B) {   // FIONREAD
                c.memory().writeInt(arg & 0xFFFFFFFFL, readEnd ? count : 0);
                return 0;
            }
            return -Errno.ENOTTY;
        }

        @Override
        public int stat(Caller c, StatBuf out) {
            out.clear();
            out.mode = FileFlags.S_IFIFO | 0600;
            out.nlink = 1;
            out.ino = ino;
            out.blksize = 4096;
            return 0;
        }

        @Override
        public String path() { return "pipe:[" + ino + "]"; }

        @Override
        protected void release() {
            if (readEnd) readers--;
            else writers--;
            queue.notify(Events.ALL);
        }
    }
}
