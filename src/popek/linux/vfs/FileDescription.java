package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * An open file (Linux's struct file, gVisor's FileDescription): what a file descriptor refers to, shared by dup'ed
 * descriptors and by processes after fork, with its status flags and (for seekable files) its offset. Each kind of
 * file (regular, directory, pipe, terminal, device, /proc entry) subclasses it and overrides what it supports; the
 * rest fails as Linux fails it.
 *
 * <p><b>Blocking.</b> Operations never block the host thread. One that cannot proceed yet (a read from an empty
 * pipe) returns {@code -EAGAIN}; the system-call layer then, unless the file is non-blocking, waits on
 * {@link #waitQueue} for {@link #readiness} and calls it again. Results are counts or {@code -errno}; an operation may
 * also throw {@link popek.linux.abi.SyscallException} (a bad user pointer in a {@link UserBuffer} does).
 */
public abstract class FileDescription {
    private int references = 1;
    private int statusFlags;

    protected FileDescription(int flags) {
        this.statusFlags = flags & ~(FileFlags.O_CREAT | FileFlags.O_EXCL | FileFlags.O_NOCTTY | FileFlags.O_TRUNC | FileFlags.O_CLOEXEC);
    }

    // ---------------------------------------------------------------- sharing

    /** One more descriptor (dup, fork, SCM_RIGHTS) refers to this file. */
    public final synchronized void retain() { references++; }

    /** A descriptor referring to it was closed; the last one calls {@link #release()}. */
    public final void close() {
        synchronized (this) {
            if (--references > 0) return;
        }
        release();
    }

    /** The last reference went away: free what the file holds (a pipe end tells the other end). */
    protected void release() { }

    // ---------------------------------------------------------------- flags

    /** The open flags F_GETFL reports (access mode and status flags). */
    public final synchronized int flags() { return statusFlags; }

    /** F_SETFL: changes only the flags Linux lets it change. */
    public synchronized void setFlags(int flags) {
        statusFlags = (statusFlags & ~FileFlags.SETFL_MASK) | (flags & FileFlags.SETFL_MASK);
    }

    public final boolean readable() {
        int a = flags() & FileFlags.O_ACCMODE;
        return a == FileFlags.O_RDONLY || a == FileFlags.O_RDWR;
    }

    public final boolean writable() {
        int a = flags() & FileFlags.O_ACCMODE;
        return a == FileFlags.O_WRONLY || a == FileFlags.O_RDWR;
    }

    public final boolean nonBlocking() { return (flags() & FileFlags.O_NONBLOCK) != 0; }

    // ---------------------------------------------------------------- operations

    /** read(2) at the file's offset (advancing it): bytes read, 0 at the end, or -errno (-EAGAIN: would block). */
    public int read(Caller c, UserBuffer dst) { return -Errno.EINVAL; }

    /** pread64(2): at {@code offset}, the file's offset untouched. */
    public int pread(Caller c, UserBuffer dst, long offset) { return -Errno.ESPIPE; }

    /** write(2) at the file's offset (at its end with O_APPEND). -EPIPE makes the caller send SIGPIPE. */
    public int write(Caller c, UserBuffer src) { return -Errno.EINVAL; }

    public int pwrite(Caller c, UserBuffer src, long offset) { return -Errno.ESPIPE; }

    /** lseek(2): the new offset, or -errno. */
    public long seek(Caller c, long offset, int whence) { return -Errno.ESPIPE; }

    /** ioctl(2) with {@code arg} as the program passed it (often a pointer into its memory). */
    public int ioctl(Caller c, int cmd, int arg) { return -Errno.ENOTTY; }

    /** Which of {@code mask}'s {@link Events} hold now (poll, select, and the blocking retry). */
    public int readiness(int mask) { return mask & (Events.POLLIN | Events.POLLOUT | Events.POLLRDNORM | Events.POLLWRNORM); }

    /** Where to wait for {@link #readiness} to change; null for a file that is always ready. */
    public WaitQueue waitQueue() { return null; }

    /** fstat(2). */
    public abstract int stat(Caller c, StatBuf out);

    /** getdents64(2) from the file's offset: entries added to {@code out}, 0 at the end, or -errno. */
    public int getdents(Caller c, DirentSink out) { return -Errno.ENOTDIR; }

    /** What mmap maps, or null (mmap fails with ENODEV). */
    public Mappable mappable() { return null; }

    /** ftruncate(2). */
    public int truncate(Caller c, long length) { return -Errno.EINVAL; }

    /** fsync(2) and fdatasync(2). */
    public int sync(Caller c) { return 0; }

    /** The path /proc/[pid]/fd/N links to ("pipe:[ino]" for a pipe). */
    public abstract String path();

    /** The directory this file is, for fchdir and *at(2) calls with a directory descriptor; null if not one. */
    public Dentry dentry() { return null; }
}
