package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.abi.SyscallException;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FileLocks;
import popek.linux.vfs.VfsFile;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

import static popek.linux.abi.SyscallNumbers.CLOSE;
import static popek.linux.abi.SyscallNumbers.CREAT;
import static popek.linux.abi.SyscallNumbers.OPEN;
import static popek.linux.abi.SyscallNumbers.OPENAT;

/**
 * open, openat, creat and close. An open of a FIFO that must wait for its other side sleeps and is made again; a
 * close drops the process's record locks on the file, as POSIX says any close does.
 */
final class OpenCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        t.register(OPEN, (task, a) -> open(task, FileFlags.AT_FDCWD, a.a0, a.a1, a.a2));
        t.register(OPENAT, (task, a) -> open(task, a.a0, a.a1, a.a2, a.a3));
        t.register(CREAT, (task, a) -> open(task, FileFlags.AT_FDCWD, a.a0, FileFlags.O_CREAT | FileFlags.O_WRONLY | FileFlags.O_TRUNC, a.a1));
        t.register(CLOSE, (task, a) -> close(task, a.a0));
    }

    static int open(Task t, int dirfd, int pathAddr, int flags, int mode) {
        String path = FileArgs.path(t, pathAddr);
        var vfs = FileArgs.vfs(t);
        FileDescription f;
        try {
            f = vfs.open(t, t.fs(), FileArgs.base(t, dirfd, path), path, flags, mode & ~t.fs().umask() & 07777);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EAGAIN) throw e;
            WaitQueue q = vfs.special().pendingOpen(t);
            if (q == null) throw e;
            if (t.signalPending()) {
                vfs.special().cancelOpen(t);
                return -Errno.ERESTARTSYS;
            }
            return t.block(q, Events.ALL);
        }
        int fd = t.fds().install(f, 0, (flags & FileFlags.O_CLOEXEC) != 0);
        if (fd < 0) f.close();
        return fd;
    }

    static int close(Task t, int fd) {
        FileDescription f = t.fds().remove(fd);
        if (f == null) return -Errno.EBADF;
        releaseLocks(t, f);
        f.close();
        return 0;
    }

    /** Any close of a file drops the closing process's record locks on it. */
    static void releaseLocks(Task t, FileDescription f) {
        if (f instanceof VfsFile v) {
            FileLocks l = v.inode().locksIfAny();
            if (l != null) l.releasePosix(t.tgid());
        }
    }
}
