package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;
import popek.linux.vfs.RegularFile;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.VfsFile;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * Moving bytes: read, write, readv, writev, pread64, pwrite64, preadv, pwritev (and their v2 forms without flags),
 * lseek and _llseek, truncate and ftruncate (and 64), fallocate, fsync, fdatasync, sync, syncfs, and the advice calls
 * that need nothing done (fadvise64, readahead).
 */
final class ReadWriteCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        t.register(READ, (task, a) -> io(task, a.a0, u(a.a1), a.a2, -1, true));
        t.register(WRITE, (task, a) -> io(task, a.a0, u(a.a1), a.a2, -1, false));
        t.register(PREAD64, (task, a) -> positioned(task, a.a0, u(a.a1), a.a2, SyscallArgs.pair(a.a3, a.a4), true));
        t.register(PWRITE64, (task, a) -> positioned(task, a.a0, u(a.a1), a.a2, SyscallArgs.pair(a.a3, a.a4), false));
        t.register(READV, (task, a) -> iov(task, a.a0, u(a.a1), a.a2, -1, true));
        t.register(WRITEV, (task, a) -> iov(task, a.a0, u(a.a1), a.a2, -1, false));
        t.register(PREADV, (task, a) -> piov(task, a, true, false));
        t.register(PWRITEV, (task, a) -> piov(task, a, false, false));
        t.register(PREADV2, (task, a) -> piov(task, a, true, true));
        t.register(PWRITEV2, (task, a) -> piov(task, a, false, true));
        t.register(LSEEK, (task, a) -> lseek(task, a.a0, a.a1, a.a2));
        t.register(_LLSEEK, this::llseek);
        t.register(FSYNC, (task, a) -> FileArgs.file(task, a.a0).sync(task));
        t.register(FDATASYNC, (task, a) -> FileArgs.file(task, a.a0).sync(task));
        t.register(SYNC, (task, a) -> 0);
        t.register(SYNCFS, (task, a) -> {
            FileArgs.file(task, a.a0);
            return 0;
        });
        t.register(TRUNCATE, (task, a) -> truncate(task, a.a0, a.a1));
        t.register(TRUNCATE64, (task, a) -> truncate(task, a.a0, SyscallArgs.pair(a.a1, a.a2)));
        t.register(FTRUNCATE, (task, a) -> ftruncate(task, a.a0, a.a1));
        t.register(FTRUNCATE64, (task, a) -> ftruncate(task, a.a0, SyscallArgs.pair(a.a1, a.a2)));
        t.register(FALLOCATE, (task, a) -> fallocate(task, a.a0, a.a1, SyscallArgs.pair(a.a2, a.a3), SyscallArgs.pair(a.a4, a.a5)));
        t.register(FADVISE64, (task, a) -> advise(task, a.a0));
        t.register(FADVISE64_64, (task, a) -> advise(task, a.a0));
        t.register(READAHEAD, (task, a) -> advise(task, a.a0));
    }

    private static int io(Task t, int fd, long buf, int len, long offset, boolean read) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        if (len < 0) return -Errno.EINVAL;
        UserBuffer b = t.io().set(t.memory(), buf, len);
        return read ? FileIo.read(t, f, b, offset) : FileIo.write(t, f, b, offset);
    }

    private static int positioned(Task t, int fd, long buf, int len, long offset, boolean read) {
        if (offset < 0) return -Errno.EINVAL;
        return io(t, fd, buf, len, offset, read);
    }

    private static int iov(Task t, int fd, long iov, int count, long offset, boolean read) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        int r = t.io().setIovec(t.memory(), iov, count);
        if (r < 0) return r;
        return read ? FileIo.read(t, f, t.io(), offset) : FileIo.write(t, f, t.io(), offset);
    }

    /** preadv(fd, iov, cnt, pos_l, pos_h) and the v2 forms; an offset of -1 in v2 means the file's own offset. */
    private static int piov(Task t, SyscallArgs a, boolean read, boolean v2) {
        long offset = SyscallArgs.pair(a.a3, a.a4);
        if (v2 && offset == -1) return iov(t, a.a0, u(a.a1), a.a2, -1, read);
        if (offset < 0) return -Errno.EINVAL;
        return iov(t, a.a0, u(a.a1), a.a2, offset, read);
    }

    private static int lseek(Task t, int fd, int off, int whence) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        long r = f.seek(t, off, whence);
        if (r < 0) return (int) r;
        if (r > Integer.MAX_VALUE) return -Errno.EOVERFLOW;
        return (int) r;
    }

    /** _llseek(fd, high, low, result*, whence). */
    private int llseek(Task t, SyscallArgs a) {
        FileDescription f = t.fds().get(a.a0);
        if (f == null) return -Errno.EBADF;
        t.memory().probe(u(a.a3), 8, true);
        long r = f.seek(t, SyscallArgs.pair(a.a2, a.a1), a.a4);
        if (r < 0) return (int) r;
        t.memory().writeLong(u(a.a3), r);
        return 0;
    }

    private static int truncate(Task t, int path, long length) {
        Location l = FileArgs.lookup(t, path, true);
        FileArgs.vfs(t).attributes().truncate(t.credentials(), l, length);
        return 0;
    }

    private static int ftruncate(Task t, int fd, long length) {
        FileDescription f = FileArgs.file(t, fd);
        if (length < 0) return -Errno.EINVAL;
        if (!(f instanceof RegularFile)) return f instanceof VfsFile v && v.inode().isDirectory() ? -Errno.EISDIR : -Errno.EINVAL;
        if (!f.writable()) return -Errno.EINVAL;
        return f.truncate(t, length);
    }

    /** fallocate mode 0 (reserve, growing the file); the other modes are not supported (EOPNOTSUPP). */
    private static int fallocate(Task t, int fd, int mode, long offset, long len) {
        FileDescription f = FileArgs.file(t, fd);
        if (offset < 0 || len <= 0) return -Errno.EINVAL;
        if (!f.writable()) return -Errno.EBADF;
        if (!(f instanceof RegularFile)) return f instanceof VfsFile ? -Errno.ENODEV : -Errno.ESPIPE;
        if (mode != 0) return -Errno.EOPNOTSUPP;
        StatBuf s = new StatBuf();
        f.stat(t, s);
        if (offset + len > s.size) return f.truncate(t, offset + len);
        return 0;
    }

    private static int advise(Task t, int fd) {
        FileDescription f = FileArgs.file(t, fd);
        return f instanceof VfsFile ? 0 : -Errno.ESPIPE;
    }
}
