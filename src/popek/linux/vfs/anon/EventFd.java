package popek.linux.vfs.anon;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

/**
 * An eventfd (fs/eventfd.c): a 64-bit counter. A read of 8 bytes or more takes the count (or 1 with EFD_SEMAPHORE)
 * and waits while it is 0; a write of exactly 8 bytes adds to it and waits while that would pass 0xfffffffffffffffe.
 */
public final class EventFd extends FileDescription {
    public static final int EFD_SEMAPHORE = 1;
    private static final long MAX = 0xFFFFFFFFFFFFFFFEL;

    private final boolean semaphore;
    private final WaitQueue queue = new WaitQueue();
    private final byte[] word = new byte[8];
    private final MemorySegment wordSegment = MemorySegment.ofArray(word);
    private long count;

    public EventFd(long initial, int flags) {
        super(FileFlags.O_RDWR | (flags & FileFlags.O_NONBLOCK));
        this.count = initial;
        this.semaphore = (flags & EFD_SEMAPHORE) != 0;
    }

    @Override
    public synchronized int read(Caller c, UserBuffer dst) {
        if (dst.remaining() < 8) return -Errno.EINVAL;
        if (count == 0) return -Errno.EAGAIN;
        long v = semaphore ? 1 : count;
        wordSegment.set(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, v);
        int n = dst.copyOut(wordSegment, 0, 8);
        if (n < 8) return -Errno.EFAULT;
        count -= v;
        queue.notify(Events.POLLOUT);
        return 8;
    }

    /**
     * Adds one 8-byte value. The buffer must be exactly 8 bytes (Linux since 6.5: "strictly check the count";
     * before, a longer one took its first 8, and this loop of write(2) would have added them again and again).
     */
    @Override
    public synchronized int write(Caller c, UserBuffer src) {
        if (src.remaining() != 8) return -Errno.EINVAL;
        if (src.copyIn(wordSegment, 0, 8) < 8) return -Errno.EFAULT;
        long v = wordSegment.get(JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (v == -1L) return -Errno.EINVAL;
        if (Long.compareUnsigned(v, MAX - count) > 0) return -Errno.EAGAIN;
        count += v;
        if (count != 0) queue.notify(Events.POLLIN);
        return 8;
    }

    @Override
    public synchronized int readiness(int mask) {
        int r = 0;
        if (count > 0) r |= Events.POLLIN | Events.POLLRDNORM;
        if (Long.compareUnsigned(count, MAX) < 0) r |= Events.POLLOUT | Events.POLLWRNORM;
        return r & mask;
    }

    @Override
    public WaitQueue waitQueue() { return queue; }

    @Override
    public int stat(Caller c, StatBuf out) {
        out.clear();
        out.mode = 0600;
        out.nlink = 1;
        out.blksize = 4096;
        return 0;
    }

    @Override
    public String path() { return "anon_inode:[eventfd]"; }
}
