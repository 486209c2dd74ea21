package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.FileTimes;
import popek.linux.vfs.Location;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * A file's attributes: chmod, fchmod, fchmodat; the chown family (16-bit ids, where 0xFFFF means "leave it", and the
 * 32-bit ones); utime, utimes, futimesat, utimensat (and its 64-bit time form); and the extended attribute calls,
 * answered as a file system without extended attributes answers them.
 */
final class AttributeCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        t.register(CHMOD, (task, a) -> chmod(task, FileArgs.lookup(task, a.a0, true), a.a1));
        t.register(FCHMOD, (task, a) -> chmod(task, fd(task, a.a0), a.a1));
        t.register(FCHMODAT, (task, a) -> chmod(task, FileArgs.at(task, a.a0, a.a1, 0, false), a.a2));
        t.register(CHOWN, (task, a) -> chown(task, FileArgs.lookup(task, a.a0, true), id16(a.a1), id16(a.a2)));
        t.register(LCHOWN, (task, a) -> chown(task, FileArgs.lookup(task, a.a0, false), id16(a.a1), id16(a.a2)));
        t.register(FCHOWN, (task, a) -> chown(task, fd(task, a.a0), id16(a.a1), id16(a.a2)));
        t.register(CHOWN32, (task, a) -> chown(task, FileArgs.lookup(task, a.a0, true), a.a1, a.a2));
        t.register(LCHOWN32, (task, a) -> chown(task, FileArgs.lookup(task, a.a0, false), a.a1, a.a2));
        t.register(FCHOWN32, (task, a) -> chown(task, fd(task, a.a0), a.a1, a.a2));
        t.register(FCHOWNAT, (task, a) -> {
            if ((a.a4 & ~(FileFlags.AT_SYMLINK_NOFOLLOW | FileFlags.AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
            return chown(task, FileArgs.at(task, a.a0, a.a1, a.a4, false), a.a2, a.a3);
        });
        t.register(UTIME, (task, a) -> utime(task, a.a0, u(a.a1)));
        t.register(UTIMES, (task, a) -> utimes(task, FileFlags.AT_FDCWD, a.a0, u(a.a1)));
        t.register(FUTIMESAT, (task, a) -> utimes(task, a.a0, a.a1, u(a.a2)));
        t.register(UTIMENSAT, (task, a) -> utimensat(task, a.a0, a.a1, u(a.a2), a.a3, false));
        t.register(UTIMENSAT_TIME64, (task, a) -> utimensat(task, a.a0, a.a1, u(a.a2), a.a3, true));
        for (int nr : new int[] {GETXATTR, LGETXATTR, FGETXATTR, REMOVEXATTR, LREMOVEXATTR, FREMOVEXATTR}) {
            t.register(nr, (task, a) -> xattr(task, nr, a.a0, -Errno.ENODATA));   // no such attribute
        }
        for (int nr : new int[] {LISTXATTR, LLISTXATTR, FLISTXATTR}) t.register(nr, (task, a) -> xattr(task, nr, a.a0, 0));   // none
        for (int nr : new int[] {SETXATTR, LSETXATTR, FSETXATTR}) t.register(nr, (task, a) -> xattr(task, nr, a.a0, -Errno.EOPNOTSUPP));
    }

    /** 16-bit ids as the old calls pass them: 0xFFFF is -1 ("leave it"). */
    private static int id16(int id) { return (id & 0xFFFF) == 0xFFFF ? -1 : id & 0xFFFF; }

    private static Location fd(Task t, int fd) {
        if (fd == FileFlags.AT_FDCWD) throw Errno.error(Errno.EBADF);
        return FileArgs.fdLocation(t, fd);
    }

    /**
     * An extended-attribute call: the file it names must exist (ENOENT, EBADF first, as on Linux); then the answer of
     * a file system without extended attributes.
     */
    private static int xattr(Task t, int nr, int arg, int answer) {
        switch (nr) {
            case FGETXATTR, FLISTXATTR, FSETXATTR, FREMOVEXATTR -> FileArgs.file(t, arg);
            case LGETXATTR, LLISTXATTR, LSETXATTR, LREMOVEXATTR -> FileArgs.lookup(t, arg, false);
            default -> FileArgs.lookup(t, arg, true);
        }
        return answer;
    }

    private static int chmod(Task t, Location l, int mode) {
        FileArgs.vfs(t).attributes().chmod(t.credentials(), l, mode);
        return 0;
    }

    /** chown: the ids as the caller's user namespace names them (EINVAL for one it does not map; -1 leaves it). */
    private static int chown(Task t, Location l, int uid, int gid) {
        var ns = t.credentials().userNs();
        int kuid = uid == -1 ? -1 : ns.uidToKernel(uid), kgid = gid == -1 ? -1 : ns.gidToKernel(gid);
        if ((uid != -1 && kuid == -1) || (gid != -1 && kgid == -1)) return -Errno.EINVAL;
        uid = kuid;
        gid = kgid;
        FileArgs.vfs(t).attributes().chown(t.credentials(), l, uid, gid);
        return 0;
    }

    /** utime(path, struct utimbuf {actime, modtime}*): NULL is "now". */
    private static int utime(Task t, int path, long times) {
        Location l = FileArgs.lookup(t, path, true);
        long a = FileTimes.UTIME_NOW, m = FileTimes.UTIME_NOW;
        if (times != 0) {
            a = (t.memory().readInt(times) & 0xFFFFFFFFL) * 1_000_000_000L;
            m = (t.memory().readInt(times + 4) & 0xFFFFFFFFL) * 1_000_000_000L;
        }
        FileArgs.vfs(t).attributes().utimes(t.credentials(), l, a, m);
        return 0;
    }

    /** utimes/futimesat(dirfd, path, struct timeval[2]*): microseconds; NULL is "now". */
    private static int utimes(Task t, int dirfd, int path, long times) {
        long a = FileTimes.UTIME_NOW, m = FileTimes.UTIME_NOW;
        if (times != 0) {
            UserMemory mem = t.memory();
            int as = mem.readInt(times), au = mem.readInt(times + 4), ms = mem.readInt(times + 8), mu = mem.readInt(times + 12);
            if (au < 0 || au >= 1_000_000 || mu < 0 || mu >= 1_000_000) return -Errno.EINVAL;
            a = as * 1_000_000_000L + au * 1000L;
            m = ms * 1_000_000_000L + mu * 1000L;
        }
        Location l;
        if (path == 0) {   // futimesat(fd, NULL, ...) changes fd's file; utimes(NULL) has no file
            if (dirfd == FileFlags.AT_FDCWD) return -Errno.EFAULT;
            l = FileArgs.fdLocation(t, dirfd);
        } else {
            l = FileArgs.at(t, dirfd, path, 0, false);
        }
        FileArgs.vfs(t).attributes().utimes(t.credentials(), l, a, m);
        return 0;
    }

    /**
     * utimensat(dirfd, path, struct timespec[2]*, flags): a NULL path means dirfd itself (futimens); UTIME_NOW and
     * UTIME_OMIT in tv_nsec; NULL times is "now" for both.
     */
    private static int utimensat(Task t, int dirfd, int path, long times, int flags, boolean time64) {
        if ((flags & ~(FileFlags.AT_SYMLINK_NOFOLLOW | FileFlags.AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        long a = FileTimes.UTIME_NOW, m = FileTimes.UTIME_NOW;
        if (times != 0) {
            UserMemory mem = t.memory();
            int size = time64 ? 16 : 8;
            long as = time64 ? mem.readLong(times) : mem.readInt(times);
            long an = time64 ? mem.readLong(times + 8) : mem.readInt(times + 4);
            long ms = time64 ? mem.readLong(times + size) : mem.readInt(times + size);
            long mn = time64 ? mem.readLong(times + size + 8) : mem.readInt(times + size + 4);
            a = timespec(as, an);
            m = timespec(ms, mn);
            if (a == Long.MIN_VALUE || m == Long.MIN_VALUE) return -Errno.EINVAL;
        }
        Location l;
        if (path == 0) {
            if (dirfd == FileFlags.AT_FDCWD || (flags & FileFlags.AT_SYMLINK_NOFOLLOW) != 0) return -Errno.EINVAL;
            l = FileArgs.fdLocation(t, dirfd);
        } else {
            l = FileArgs.at(t, dirfd, path, flags, false);
        }
        FileArgs.vfs(t).attributes().utimes(t.credentials(), l, a, m);
        return 0;
    }

    private static long timespec(long sec, long nsec) {
        if (nsec == FileTimes.UTIME_NOW) return FileTimes.UTIME_NOW;
        if (nsec == FileTimes.UTIME_OMIT) return FileTimes.UTIME_OMIT;
        if (nsec < 0 || nsec > 999_999_999) return Long.MIN_VALUE;
        return sec * 1_000_000_000L + nsec;
    }
}
