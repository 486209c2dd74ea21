package popek.linux.mm;

import java.lang.foreign.MemorySegment;

import popek.linux.abi.Errno;

/**
 * The user memory of one read or write: a single buffer, or the iovec array of readv/writev, consumed front to back.
 * A file's read fills it with {@link #copyOut}, a write drains it with {@link #copyIn}; both stop at the first
 * inaccessible byte and return how much moved (Linux's short count), throwing EFAULT only when nothing could. One is
 * kept per task and reset for each call, so the I/O path allocates nothing.
 */
public final class UserBuffer {
    /** Linux's UIO_MAXIOV. */
    public static final int IOV_MAX = 1024;

    private long[] base = new long[8];
    private int[] length = new int[8];
    private byte[] bounce;
    private int count, segment, inSegment;
    private long total, done;
    private UserMemory mem;
    /** Set instead of {@link #mem} for a kernel buffer: the bytes sendfile moves between two files. */
    private MemorySegment kernel;

    /** The address space of the process whose memory this is (whose cgroup pays for what a write makes); null for a kernel buffer. */
    public MemoryManager owner() { return mem == null ? null : mem.mm(); }

    /** One buffer of {@code len} bytes at {@code addr}. */
    public UserBuffer set(UserMemory mem, long addr, int len) {
        this.mem = mem;
        this.kernel = null;
        base[0] = addr;
        length[0] = len;
        count = 1;
        total = len;
        rewind();
        return this;
    }

    /**
     * {@code len} bytes of a buffer in host memory (not the program's): how sendfile and copy_file_range move bytes
     * from one file to another through the files' own read and write.
     */
    public UserBuffer setKernel(MemorySegment buffer, int len) {
        this.mem = null;
        this.kernel = buffer;
        base[0] = 0;
        length[0] = len;
        count = 1;
        total = len;
        rewind();
        return this;
    }

    /** The {@code iovcnt} iovecs at {@code iov}; 0, or -EINVAL (count, or a total over 2 GiB) / -EFAULT. */
    public int setIovec(UserMemory mem, long iov, int iovcnt) {
        if (iovcnt < 0 || iovcnt > IOV_MAX) return -Errno.EINVAL;
        if (iovcnt > base.length) {
            base = new long[Math.max(iovcnt, base.length * 2)];
            length = new int[base.length];
        }
        this.mem = mem;
        this.kernel = null;
        total = 0;
        for (int i = 0; i < iovcnt; i++) {
            base[i] = UserMemory.u(mem.readInt(iov + 8L * i));
            int len = mem.readInt(iov + 8L * i + 4);
            if (len < 0) return -Errno.EINVAL;
            length[i] = len;
            total += len;
            if (total > Integer.MAX_VALUE) return -Errno.EINVAL;
        }
        count = iovcnt;
        rewind();
        return 0;
    }

    private void rewind() {
        segment = 0;
        inSegment = 0;
        done = 0;
        skipEmpty();
    }

    private void skipEmpty() {
        while (segment < count && inSegment == length[segment]) {
            segment++;
            inSegment = 0;
        }
    }

    /** Passes over the first {@code n} bytes (already moved by an earlier, interrupted run of the same call). */
    public void skip(int n) {
        while (n > 0 && segment < count) {
            int step = Math.min(n, length[segment] - inSegment);
            inSegment += step;
            done += step;
            n -= step;
            skipEmpty();
        }
    }

    /** Bytes not yet moved. */
    public int remaining() { return (int) (total - done); }

    /** Bytes moved so far. */
    public int moved() { return (int) done; }

    /** Moves up to {@code len} bytes of {@code src} (host memory) into the user buffers; returns the count moved. */
    public int copyOut(MemorySegment src, long off, int len) { return move(src, off, len, true); }

    /** Moves up to {@code len} bytes from the user buffers into {@code dst}; returns the count moved. */
    public int copyIn(MemorySegment dst, long off, int len) { return move(dst, off, len, false); }

    public int copyOut(byte[] src, int off, int len) { return move(MemorySegment.ofArray(src), off, len, true); }

    public int copyIn(byte[] dst, int off, int len) { return move(MemorySegment.ofArray(dst), off, len, false); }

    private int move(MemorySegment host, long off, int len, boolean toUser) {
        int moved = 0;
        while (moved < len && segment < count) {
            int n = Math.min(len - moved, length[segment] - inSegment);
            int m;
            if (kernel != null) {
                if (toUser) MemorySegment.copy(host, off + moved, kernel, base[segment] + inSegment, n);
                else MemorySegment.copy(kernel, base[segment] + inSegment, host, off + moved, n);
                m = n;
            } else try {
                m = mem.transfer(base[segment] + inSegment, host, off + moved, n, toUser);
            } catch (popek.linux.abi.SyscallException e) {
                if (moved == 0 && done == 0) throw e;
                return moved;
            }
            moved += m;
            inSegment += m;
            done += m;
            if (m < n) return moved;   // an inaccessible page: a short count
            skipEmpty();
        }
        return moved;
    }

    /** A scratch array for files that produce bytes in Java (4 KiB, reused: copy out of it before asking again). */
    public byte[] scratch() {
        if (bounce == null) bounce = new byte[4096];
        return bounce;
    }
}
