package popek.linux.syscalls;

import java.nio.charset.StandardCharsets;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserBuffer;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.Dentry;
import popek.linux.vfs.DirentSink;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.host.HostFs;
import popek.linux.vfs.pipe.Pipe;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * A placeholder for the file system calls, enough to run programs before the VFS's own family lands and replaces
 * it: I/O on descriptors, open and stat over the (read-only) tree, directories, descriptors, pipes, the cwd.
 */
final class BasicFileCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        t.register(READ, (task, a) -> io(task, a.a0, u(a.a1), a.a2, -1, true));
        t.register(WRITE, (task, a) -> io(task, a.a0, u(a.a1), a.a2, -1, false));
        t.register(PREAD64, (task, a) -> io(task, a.a0, u(a.a1), a.a2, SyscallArgs.pair(a.a3, a.a4), true));
        t.register(PWRITE64, (task, a) -> io(task, a.a0, u(a.a1), a.a2, SyscallArgs.pair(a.a3, a.a4), false));
        t.register(READV, (task, a) -> iov(task, a.a0, u(a.a1), a.a2, true));
        t.register(WRITEV, (task, a) -> iov(task, a.a0, u(a.a1), a.a2, false));
        t.register(CLOSE, (task, a) -> task.fds().close(a.a0));
        t.register(OPEN, (task, a) -> open(task, FileFlags.AT_FDCWD, a.a0, a.a1, a.a2));
        t.register(OPENAT, (task, a) -> open(task, a.a0, a.a1, a.a2, a.a3));
        t.register(LSEEK, (task, a) -> lseek(task, a.a0, a.a1, a.a2));
        t.register(_LLSEEK, this::llseek);
        t.register(FSTAT64, (task, a) -> fstat(task, a.a0, u(a.a1)));
        t.register(STAT64, (task, a) -> stat(task, FileFlags.AT_FDCWD, a.a0, u(a.a1), true));
        t.register(LSTAT64, (task, a) -> stat(task, FileFlags.AT_FDCWD, a.a0, u(a.a1), false));
        t.register(FSTATAT64, (task, a) -> fstatat(task, a.a0, a.a1, u(a.a2), a.a3));
        t.register(STATX, this::statx);
        t.register(GETDENTS64, (task, a) -> getdents(task, a.a0, u(a.a1), a.a2));
        t.register(IOCTL, (task, a) -> {
            FileDescription f = task.fds().get(a.a0);
            if (f == null) return -Errno.EBADF;
            if (a.a1 == 0x5451 || a.a1 == 0x5450) {   // FIOCLEX, FIONCLEX
                task.fds().setCloseOnExec(a.a0, a.a1 == 0x5451);
                return 0;
            }
            return f.ioctl(task, a.a1, a.a2);
        });
        t.register(DUP, (task, a) -> dup(task, a.a0, 0, false));
        t.register(DUP2, this::dup2);
        t.register(DUP3, this::dup3);
        t.register(FCNTL64, (task, a) -> fcntl(task, a.a0, a.a1, a.a2));
        t.register(FCNTL, (task, a) -> fcntl(task, a.a0, a.a1, a.a2));
        t.register(PIPE, (task, a) -> pipe(task, u(a.a0), 0));
        t.register(PIPE2, (task, a) -> pipe(task, u(a.a0), a.a1));
        t.register(ACCESS, (task, a) -> access(task, FileFlags.AT_FDCWD, a.a0, a.a1));
        t.register(FACCESSAT, (task, a) -> access(task, a.a0, a.a1, a.a2));
        t.register(FACCESSAT2, (task, a) -> access(task, a.a0, a.a1, a.a2));
        t.register(GETCWD, this::getcwd);
        t.register(CHDIR, (task, a) -> {
            task.fs().setCwd(task.kernel().vfs().directory(task.fs(), task.fs().cwd(), path(task, a.a0), task.credentials()));
            return 0;
        });
        t.register(READLINK, (task, a) -> readlink(task, a.a0, u(a.a1), a.a2));
        // No extended attributes on the placeholder tree: none to read (ENODATA), an empty list.
        for (int nr : new int[] {GETXATTR, LGETXATTR, FGETXATTR}) t.register(nr, (task, a) -> -Errno.ENODATA);
        for (int nr : new int[] {LISTXATTR, LLISTXATTR, FLISTXATTR}) t.register(nr, (task, a) -> 0);
    }

    static String path(Task t, int addr) {
        String p = new String(t.memory().readBytesZ(u(addr), FileFlags.PATH_MAX - 1), StandardCharsets.ISO_8859_1);
        if (p.isEmpty()) throw Errno.error(Errno.ENOENT);
        return p;
    }

    private static Dentry base(Task t, int dirfd) {
        if (dirfd == FileFlags.AT_FDCWD) return t.fs().cwd();
        FileDescription f = t.fds().get(dirfd);
        if (f == null) throw Errno.error(Errno.EBADF);
        Dentry d = f.dentry();
        if (d == null) throw Errno.error(Errno.ENOTDIR);
        return d;
    }

    private int io(Task t, int fd, long buf, int len, long offset, boolean read) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        if (len < 0) return -Errno.EINVAL;
        UserBuffer b = t.io().set(t.memory(), buf, len);
        return read ? FileIo.read(t, f, b, offset) : FileIo.write(t, f, b, offset);
    }

    private int iov(Task t, int fd, long iov, int count, boolean read) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        int r = t.io().setIovec(t.memory(), iov, count);
        if (r < 0) return r;
        return read ? FileIo.read(t, f, t.io(), -1) : FileIo.write(t, f, t.io(), -1);
    }

    private int open(Task t, int dirfd, int path, int flags, int mode) {
        String p = path(t, path);
        FileDescription f = t.kernel().vfs().open(t.fs(), base(t, dirfd), p, flags, mode & ~t.fs().umask(), t.credentials());
        int fd = t.fds().install(f, 0, (flags & FileFlags.O_CLOEXEC) != 0);
        if (fd < 0) f.close();
        return fd;
    }

    private int lseek(Task t, int fd, int off, int whence) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        long r = f.seek(t, off, whence);
        if (r > Integer.MAX_VALUE) return -Errno.EOVERFLOW;
        return (int) r;
    }

    /** _llseek(fd, high, low, result*, whence). */
    private int llseek(Task t, SyscallArgs a) {
        FileDescription f = t.fds().get(a.a0);
        if (f == null) return -Errno.EBADF;
        long r = f.seek(t, SyscallArgs.pair(a.a2, a.a1), a.a4);
        if (r < 0) return (int) r;
        t.memory().writeLong(u(a.a3), r);
        return 0;
    }

    private int fstat(Task t, int fd, long at) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        StatBuf s = new StatBuf();
        int r = f.stat(t, s);
        if (r < 0) return r;
        StatLayout.writeStat64(t.memory(), at, s);
        return 0;
    }

    private int stat(Task t, int dirfd, int path, long at, boolean follow) {
        StatBuf s = new StatBuf();
        t.kernel().vfs().stat(t.fs(), base(t, dirfd), path(t, path), follow, t.credentials(), s);
        StatLayout.writeStat64(t.memory(), at, s);
        return 0;
    }

    private int fstatat(Task t, int dirfd, int path, long at, int flags) {
        if ((flags & FileFlags.AT_EMPTY_PATH) != 0 && t.memory().readByte(u(path)) == 0) {
            return dirfd == FileFlags.AT_FDCWD ? stat(t, dirfd, path, at, true) : fstat(t, dirfd, at);
        }
        return stat(t, dirfd, path, at, (flags & FileFlags.AT_SYMLINK_NOFOLLOW) == 0);
    }

    /** statx(dirfd, path, flags, mask, buf). */
    private int statx(Task t, SyscallArgs a) {
        StatBuf s = new StatBuf();
        if ((a.a2 & FileFlags.AT_EMPTY_PATH) != 0 && t.memory().readByte(u(a.a1)) == 0) {
            FileDescription f = a.a0 == FileFlags.AT_FDCWD ? null : t.fds().get(a.a0);
            if (f == null && a.a0 != FileFlags.AT_FDCWD) return -Errno.EBADF;
            if (f != null) {
                int r = f.stat(t, s);
                if (r < 0) return r;
            } else {
                t.kernel().vfs().stat(t.fs(), t.fs().cwd(), ".", true, t.credentials(), s);
            }
        } else {
            t.kernel().vfs().stat(t.fs(), base(t, a.a0), path(t, a.a1), (a.a2 & FileFlags.AT_SYMLINK_NOFOLLOW) == 0, t.credentials(), s);
        }
        StatLayout.writeStatx(t.memory(), u(a.a4), s);
        return 0;
    }

    /** getdents64: struct linux_dirent64 {u64 ino; s64 off; u16 reclen; u8 type; char name[]}, 8-byte aligned. */
    private int getdents(Task t, int fd, long buf, int len) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        UserMemory m = t.memory();
        int[] used = {0};
        DirentSink sink = (ino, next, type, name) -> {
            byte[] n = name.getBytes(StandardCharsets.UTF_8);
            int reclen = (19 + n.length + 1 + 7) & ~7;
            if (used[0] + reclen > len) return false;
            long at = buf + used[0];
            m.writeLong(at, ino);
            m.writeLong(at + 8, next);
            m.writeShort(at + 16, (short) reclen);
            m.writeByte(at + 18, (byte) type);
            m.write(at + 19, n, 0, n.length);
            m.zero(at + 19 + n.length, reclen - 19 - n.length);
            used[0] += reclen;
            return true;
        };
        int r = f.getdents(t, sink);
        if (r < 0) return r;
        if (r == 0 && used[0] == 0 && len > 0) {
            // either the end, or the buffer was too small for the first entry
            return 0;
        }
        return used[0];
    }

    private int dup(Task t, int fd, int min, boolean cloexec) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        f.retain();
        int r = t.fds().install(f, min, cloexec);
        if (r < 0) f.close();
        return r;
    }

    private int dup2(Task t, SyscallArgs a) {
        FileDescription f = t.fds().get(a.a0);
        if (f == null) return -Errno.EBADF;
        if (a.a0 == a.a1) return a.a1;
        f.retain();
        int r = t.fds().installAt(a.a1, f, false);
        if (r < 0) f.close();
        return r;
    }

    private int dup3(Task t, SyscallArgs a) {
        if (a.a0 == a.a1 || (a.a2 & ~FileFlags.O_CLOEXEC) != 0) return -Errno.EINVAL;
        FileDescription f = t.fds().get(a.a0);
        if (f == null) return -Errno.EBADF;
        f.retain();
        int r = t.fds().installAt(a.a1, f, (a.a2 & FileFlags.O_CLOEXEC) != 0);
        if (r < 0) f.close();
        return r;
    }

    static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7,
            F_GETLK64 = 12, F_SETLK64 = 13, F_SETLKW64 = 14, F_DUPFD_CLOEXEC = 1030;

    private int fcntl(Task t, int fd, int cmd, int arg) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        switch (cmd) {
            case F_DUPFD -> { return dup(t, fd, arg, false); }
            case F_DUPFD_CLOEXEC -> { return dup(t, fd, arg, true); }
            case F_GETFD -> { return t.fds().closeOnExec(fd) ? 1 : 0; }
            case F_SETFD -> {
                t.fds().setCloseOnExec(fd, (arg & 1) != 0);
                return 0;
            }
            case F_GETFL -> { return f.flags(); }
            case F_SETFL -> {
                f.setFlags(arg);
                return 0;
            }
            case F_GETLK, F_GETLK64 -> {
                t.memory().writeShort(u(arg), (short) 2);   // F_UNLCK: nobody holds a lock
                return 0;
            }
            case F_SETLK, F_SETLKW, F_SETLK64, F_SETLKW64 -> { return 0; }
            default -> { return -Errno.EINVAL; }
        }
    }

    private int pipe(Task t, long at, int flags) {
        if ((flags & ~(FileFlags.O_CLOEXEC | FileFlags.O_NONBLOCK | FileFlags.O_DIRECT)) != 0) return -Errno.EINVAL;
        t.memory().probe(at, 8, true);
        FileDescription[] ends = Pipe.create(flags);
        boolean cloexec = (flags & FileFlags.O_CLOEXEC) != 0;
        int r = t.fds().install(ends[0], 0, cloexec);
        if (r < 0) {
            ends[0].close();
            ends[1].close();
            return r;
        }
        int w = t.fds().install(ends[1], 0, cloexec);
        if (w < 0) {
            t.fds().close(r);
            ends[1].close();
            return w;
        }
        t.memory().writeInt(at, r);
        t.memory().writeInt(at + 4, w);
        return 0;
    }

    private int access(Task t, int dirfd, int path, int mode) {
        StatBuf s = new StatBuf();
        t.kernel().vfs().stat(t.fs(), base(t, dirfd), path(t, path), true, t.credentials(), s);
        if ((mode & FileFlags.W_OK) != 0) return -Errno.EROFS;
        if ((mode & FileFlags.X_OK) != 0 && (s.mode & 0111) == 0 && (s.mode & FileFlags.S_IFMT) != FileFlags.S_IFDIR) return -Errno.EACCES;
        return 0;
    }

    private int getcwd(Task t, SyscallArgs a) {
        byte[] p = t.fs().cwd().absolutePath().getBytes(StandardCharsets.UTF_8);
        if (a.a1 < p.length + 1) return -Errno.ERANGE;
        t.memory().writeBytesZ(u(a.a0), p);
        return p.length + 1;
    }

    private int readlink(Task t, int path, long buf, int len) {
        if (len <= 0) return -Errno.EINVAL;
        if (!(t.kernel().vfs() instanceof HostFs h)) return -Errno.EINVAL;
        String p = path(t, path);
        byte[] target = h.readlink(t.fs(), t.fs().cwd(), p).getBytes(StandardCharsets.UTF_8);
        int n = Math.min(len, target.length);
        t.memory().write(buf, target, 0, n);
        return n;
    }
}
