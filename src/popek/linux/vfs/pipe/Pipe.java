package popek.linux.vfs.pipe;

import java.util.concurrent.atomic.AtomicInteger;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FileTimes;
import popek.linux.vfs.StatBuf;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * A pipe (fs/pipe.c): a ring buffer of 64 KiB (F_SETPIPE_SZ changes it, 4 KiB to 1 MiB) with its readers and writers.
 * Reads take what is there (a short read) and return 0 once no writer is left; writes of at most {@link #PIPE_BUF}
 * bytes go in whole or wait, longer ones go in as room allows; a write with no reader left is EPIPE (the caller sends
 * SIGPIPE). The same object is behind pipe(2)'s two ends and behind a FIFO's openers.
 */
public final class Pipe {
    public static final int DEFAULT_CAPACITY = 65536, PIPE_BUF = 4096, MAX_CAPACITY = 1 << 20;
    /** pipefs's device (0:12, as on Linux) and its inode numbers. */
    static final int PIPEFS_DEV = 12;
    private static final AtomicInteger NEXT_INO = new AtomicInteger(4000);

    private byte[] ring = new byte[DEFAULT_CAPACITY];
    /** The ring as a segment, so moving bytes to and from the program allocates nothing. */
    private java.lang.foreign.MemorySegment ringSegment = java.lang.foreign.MemorySegment.ofArray(ring);
    private int head, count;
    int readers, writers;
    /** How many times a reader or a writer has opened it (fifo_open's r_counter and w_counter). */
    private long readerOpens, writerOpens;
    private boolean hadWriter;
    final WaitQueue queue = new WaitQueue();
    final int ino = NEXT_INO.getAndIncrement();
    private final int uid, gid;
    private final long created = FileTimes.now();
    private long accessed = created, modified = created;

    Pipe(Credentials owner) {
        this.uid = owner == null ? 0 : owner.fsuid();
        this.gid = owner == null ? 0 : owner.fsgid();
    }

    /** A new pipe's two ends, [read, write], with pipe2's O_NONBLOCK if given (and O_DIRECT ignored). */
    public static FileDescription[] create(Credentials owner, int flags) {
        Pipe p = new Pipe(owner);
        int extra = flags & FileFlags.O_NONBLOCK;
        return new FileDescription[] {p.open(FileFlags.O_RDONLY | extra, null), p.open(FileFlags.O_WRONLY | extra, null)};
    }

    /** A new end (counted as a reader, a writer or both by its access mode). */
    synchronized PipeEnd open(int flags, popek.linux.vfs.Location fifo) {
        int acc = flags & FileFlags.O_ACCMODE;
        if (acc != FileFlags.O_WRONLY) {
            readers++;
            readerOpens++;
        }
        if (acc != FileFlags.O_RDONLY) {
            writers++;
            writerOpens++;
            hadWriter = true;
        }
        queue.notify(Events.ALL);
        return new PipeEnd(this, flags, fifo);
    }

    /** A FIFO opener that must wait counts as a reader or writer already (fifo_open's counting before it waits). */
    synchronized void reserve(boolean reader) {
        if (reader) {
            readers++;
            readerOpens++;
        } else {
            writers++;
            writerOpens++;
            hadWriter = true;
        }
        queue.notify(Events.ALL);
    }

    synchronized void unreserve(boolean reader) {
        if (reader) readers--;
        else writers--;
        queue.notify(Events.ALL);
    }

    /** The end of an opener that waited: already counted by {@link #reserve}. */
    PipeEnd reserved(int flags, popek.linux.vfs.Location fifo) { return new PipeEnd(this, flags, fifo); }

    void closed(int flags) {
        synchronized (this) {
            int acc = flags & FileFlags.O_ACCMODE;
            if (acc != FileFlags.O_WRONLY) readers--;
            if (acc != FileFlags.O_RDONLY) writers--;
        }
        queue.notify(Events.ALL);
    }

    synchronized int read(UserBuffer dst) {
        if (count == 0) return writers == 0 ? 0 : -Errno.EAGAIN;
        int total = 0;
        while (count > 0 && dst.remaining() > 0) {
            int n = Math.min(count, Math.min(dst.remaining(), ring.length - head));
            int moved = dst.copyOut(ringSegment, head, n);
            head = (head + moved) % ring.length;
            count -= moved;
            total += moved;
            if (moved < n) break;
        }
        if (count == 0) head = 0;
        if (total > 0) {
            accessed = FileTimes.now();
            queue.notify(Events.POLLOUT | Events.POLLWRNORM);
        }
        return total;
    }

    synchronized int write(UserBuffer src) {
        if (readers == 0) return -Errno.EPIPE;
        int want = src.remaining();
        int space = ring.length - count;
        if (space == 0 || (want <= PIPE_BUF && space < want)) return -Errno.EAGAIN;
        int total = 0;
        while (src.remaining() > 0 && count < ring.length) {
            int tail = (head + count) % ring.length;
            int n = Math.min(src.remaining(), Math.min(ring.length - count, ring.length - tail));
            int moved = src.copyIn(ringSegment, tail, n);
            count += moved;
            total += moved;
            if (moved < n) break;
        }
        if (total > 0) {
            modified = FileTimes.now();
            queue.notify(Events.POLLIN | Events.POLLRDNORM);
        }
        return total;
    }

    synchronized int readiness(boolean readEnd, boolean writeEnd, int mask) {
        int r = 0;
        if (readEnd) {
            if (count > 0) r |= Events.POLLIN | Events.POLLRDNORM;
            if (writers == 0 && hadWriter) r |= Events.POLLHUP;
        }
        if (writeEnd) {
            if (ring.length - count >= PIPE_BUF) r |= Events.POLLOUT | Events.POLLWRNORM;
            if (readers == 0) r |= Events.POLLERR;
        }
        return r & (mask | Events.POLLHUP | Events.POLLERR);
    }

    synchronized int available() { return count; }

    synchronized int capacity() { return ring.length; }

    /** F_SETPIPE_SZ: the new capacity (a power of two pages), or -EBUSY if what is buffered would not fit. */
    synchronized int resize(int size) {
        if (size <= 0) return -Errno.EINVAL;
        if (size > MAX_CAPACITY) return -Errno.EPERM;
        int cap = PIPE_BUF;
        while (cap < size) cap <<= 1;
        if (cap < count) return -Errno.EBUSY;
        byte[] r = new byte[cap];
        for (int i = 0; i < count; i++) r[i] = ring[(head + i) % ring.length];
        ring = r;
        ringSegment = java.lang.foreign.MemorySegment.ofArray(r);
        head = 0;
        queue.notify(Events.POLLOUT | Events.POLLWRNORM);
        return cap;
    }

    synchronized boolean hasReaders() { return readers > 0; }

    synchronized long readerOpens() { return readerOpens; }

    synchronized long writerOpens() { return writerOpens; }

    synchronized boolean hasWriters() { return writers > 0; }

    void stat(StatBuf out) {
        out.clear();
        out.dev = PIPEFS_DEV;
        out.ino = ino;
        out.mode = FileFlags.S_IFIFO | 0600;
        out.nlink = 1;
        out.uid = uid;
        out.gid = gid;
        out.blksize = 4096;
        synchronized (this) {
            out.times(accessed, modified, modified);
        }
    }
}
