package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.StatFs;
import popek.linux.vfs.VfsFile;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * Asking about files: stat, lstat and fstat in the old 32-bit layout and the stat64 one, fstatat64, statx, statfs
 * and fstatfs (and 64), access, faccessat, faccessat2, readlink and readlinkat.
 */
final class StatCalls implements SyscallFamily {
    private static final ThreadLocal<StatBuf> SCRATCH = ThreadLocal.withInitial(StatBuf::new);

    @Override
    public void register(SyscallTable t) {
        t.register(STAT64, (task, a) -> stat(task, FileArgs.lookup(task, a.a0, true), u(a.a1), Layout.STAT64));
        t.register(LSTAT64, (task, a) -> stat(task, FileArgs.lookup(task, a.a0, false), u(a.a1), Layout.STAT64));
        t.register(FSTAT64, (task, a) -> fstat(task, a.a0, u(a.a1), Layout.STAT64));
        t.register(STAT, (task, a) -> stat(task, FileArgs.lookup(task, a.a0, true), u(a.a1), Layout.OLD));
        t.register(LSTAT, (task, a) -> stat(task, FileArgs.lookup(task, a.a0, false), u(a.a1), Layout.OLD));
        t.register(FSTAT, (task, a) -> fstat(task, a.a0, u(a.a1), Layout.OLD));
        t.register(FSTATAT64, (task, a) -> fstatat(task, a.a0, a.a1, u(a.a2), a.a3, Layout.STAT64));
        t.register(STATX, (task, a) -> fstatat(task, a.a0, a.a1, u(a.a4), a.a2 & ~0x6000, Layout.STATX));
        t.register(STATFS, (task, a) -> statfs(task, FileArgs.lookup(task, a.a0, true), u(a.a1), false));
        t.register(FSTATFS, (task, a) -> statfs(task, FileArgs.fdLocation(task, a.a0), u(a.a1), false));
        t.register(STATFS64, (task, a) -> a.a1 != 84 ? -Errno.EINVAL : statfs(task, FileArgs.lookup(task, a.a0, true), u(a.a2), true));
        t.register(FSTATFS64, (task, a) -> a.a1 != 84 ? -Errno.EINVAL : statfs(task, FileArgs.fdLocation(task, a.a0), u(a.a2), true));
        t.register(ACCESS, (task, a) -> access(task, FileFlags.AT_FDCWD, a.a0, a.a1, 0));
        t.register(FACCESSAT, (task, a) -> access(task, a.a0, a.a1, a.a2, 0));
        t.register(FACCESSAT2, (task, a) -> access(task, a.a0, a.a1, a.a2, a.a3));
        t.register(READLINK, (task, a) -> readlink(task, FileFlags.AT_FDCWD, a.a0, u(a.a1), a.a2));
        t.register(READLINKAT, (task, a) -> readlink(task, a.a0, a.a1, u(a.a2), a.a3));
    }

    private enum Layout { OLD, STAT64, STATX }

    private static int write(Task t, StatBuf s, long at, Layout layout) {
        var ns = t.credentials().userNs();
        if (!ns.isInitial()) {   // the owner as the caller's user namespace names it (65534 if it does not)
            s.uid = ns.uidSeen(s.uid);
            s.gid = ns.gidSeen(s.gid);
        }
        switch (layout) {
            case OLD -> { return writeOldStat(t.memory(), at, s); }
            case STAT64 -> StatLayout.writeStat64(t.memory(), at, s);
            case STATX -> StatLayout.writeStatx(t.memory(), at, s);
        }
        return 0;
    }

    private static int stat(Task t, Location l, long at, Layout layout) {
        StatBuf s = SCRATCH.get();
        l.inode().stat(s);
        return write(t, s, at, layout);
    }

    private static int fstat(Task t, int fd, long at, Layout layout) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        StatBuf s = SCRATCH.get();
        int r = f.stat(t, s);
        if (r < 0) return r;
        return write(t, s, at, layout);
    }

    private static int fstatat(Task t, int dirfd, int path, long at, int flags, Layout layout) {
        if ((flags & ~(FileFlags.AT_SYMLINK_NOFOLLOW | FileFlags.AT_EMPTY_PATH | 0x800)) != 0) return -Errno.EINVAL;
        if ((flags & FileFlags.AT_EMPTY_PATH) != 0 && dirfd != FileFlags.AT_FDCWD && FileArgs.pathOrEmpty(t, path).isEmpty()) {
            return fstat(t, dirfd, at, layout);   // pipes too, which have no place in the tree
        }
        return stat(t, FileArgs.at(t, dirfd, path, flags, false), at, layout);
    }

    /**
     * The old struct stat: 32-bit device, inode, size, 16-bit mode, links, owner (ids past 65535 shown as 65534);
     * EOVERFLOW for an inode number or size that does not fit, as cp_old_stat says.
     */
    static int writeOldStat(UserMemory m, long at, StatBuf s) {
        if (s.ino > 0xFFFFFFFFL || s.size > Integer.MAX_VALUE || s.nlink > 0xFFFF) return -Errno.EOVERFLOW;
        m.zero(at, 64);
        m.writeInt(at, (int) StatLayout.encodeDev(s.dev));
        m.writeInt(at + 4, (int) s.ino);
        m.writeShort(at + 8, (short) s.mode);
        m.writeShort(at + 10, (short) s.nlink);
        m.writeShort(at + 12, (short) (s.uid > 0xFFFF ? 65534 : s.uid));
        m.writeShort(at + 14, (short) (s.gid > 0xFFFF ? 65534 : s.gid));
        m.writeInt(at + 16, (int) StatLayout.encodeDev(s.rdev));
        m.writeInt(at + 20, (int) s.size);
        m.writeInt(at + 24, s.blksize);
        m.writeInt(at + 28, (int) s.blocks);
        m.writeInt(at + 32, (int) s.atimeSec);
        m.writeInt(at + 36, s.atimeNsec);
        m.writeInt(at + 40, (int) s.mtimeSec);
        m.writeInt(at + 44, s.mtimeNsec);
        m.writeInt(at + 48, (int) s.ctimeSec);
        m.writeInt(at + 52, s.ctimeNsec);
        return 0;
    }

    /** statfs (64 bytes, 32-bit counts: EOVERFLOW if they do not fit) or statfs64 (84 bytes). */
    private static int statfs(Task t, Location l, long at, boolean wide) {
        StatFs s = new StatFs();
        FileArgs.vfs(t).statfs(l, s);
        UserMemory m = t.memory();
        if (wide) {
            m.zero(at, 84);
            m.writeInt(at, (int) s.type);
            m.writeInt(at + 4, (int) s.blockSize);
            m.writeLong(at + 8, s.blocks);
            m.writeLong(at + 16, s.blocksFree);
            m.writeLong(at + 24, s.blocksAvailable);
            m.writeLong(at + 32, s.files);
            m.writeLong(at + 40, s.filesFree);
            m.writeInt(at + 48, s.fsidLow);
            m.writeInt(at + 52, s.fsidHigh);
            m.writeInt(at + 56, (int) s.nameLength);
            m.writeInt(at + 60, (int) s.fragmentSize);
            m.writeInt(at + 64, (int) s.flags);
            return 0;
        }
        if (((s.blocks | s.blocksFree | s.blocksAvailable) >>> 32) != 0) return -Errno.EOVERFLOW;
        m.zero(at, 64);
        m.writeInt(at, (int) s.type);
        m.writeInt(at + 4, (int) s.blockSize);
        m.writeInt(at + 8, (int) s.blocks);
        m.writeInt(at + 12, (int) s.blocksFree);
        m.writeInt(at + 16, (int) s.blocksAvailable);
        m.writeInt(at + 20, (int) Math.min(s.files, 0xFFFFFFFFL));
        m.writeInt(at + 24, (int) Math.min(s.filesFree, 0xFFFFFFFFL));
        m.writeInt(at + 28, s.fsidLow);
        m.writeInt(at + 32, s.fsidHigh);
        m.writeInt(at + 36, (int) s.nameLength);
        m.writeInt(at + 40, (int) s.fragmentSize);
        m.writeInt(at + 44, (int) s.flags);
        return 0;
    }

    private static int access(Task t, int dirfd, int pathAddr, int mode, int flags) {
        if ((mode & ~7) != 0) return -Errno.EINVAL;
        if ((flags & ~(FileFlags.AT_EACCESS | FileFlags.AT_SYMLINK_NOFOLLOW | FileFlags.AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        String p = FileArgs.pathOrEmpty(t, pathAddr);
        if (p.isEmpty()) {
            if ((flags & FileFlags.AT_EMPTY_PATH) == 0) return -Errno.ENOENT;
            p = ".";
        }
        FileArgs.vfs(t).access(t, t.fs(), FileArgs.base(t, dirfd, p), p, mode, (flags & FileFlags.AT_EACCESS) != 0,
                (flags & FileFlags.AT_SYMLINK_NOFOLLOW) == 0);
        return 0;
    }

    private static int readlink(Task t, int dirfd, int pathAddr, long buf, int size) {
        if (size <= 0) return -Errno.EINVAL;
        String p = FileArgs.pathOrEmpty(t, pathAddr);
        if (p.isEmpty()) {   // readlinkat(fd, "") of a link opened with O_PATH | O_NOFOLLOW
            FileDescription f = FileArgs.file(t, dirfd);
            if (!(f instanceof VfsFile v) || !v.inode().isSymlink()) return -Errno.ENOENT;
            return FileArgs.copyOutBytes(t, buf, size, v.inode().readlink(t));
        }
        String target = FileArgs.vfs(t).readlink(t, t.fs(), FileArgs.base(t, dirfd, p), p);
        return FileArgs.copyOutBytes(t, buf, size, target);
    }
}
