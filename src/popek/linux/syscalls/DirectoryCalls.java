package popek.linux.syscalls;

import java.nio.charset.StandardCharsets;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.DirentSink;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;
import popek.linux.vfs.Permissions;
import popek.linux.vfs.VfsFile;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * The tree's names: mkdir(at), rmdir, unlink(at), rename(at)(2), link(at), symlink(at), mknod(at), getdents and
 * getdents64, getcwd, chdir, fchdir and chroot.
 */
final class DirectoryCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        t.register(MKDIR, (task, a) -> mkdir(task, FileFlags.AT_FDCWD, a.a0, a.a1));
        t.register(MKDIRAT, (task, a) -> mkdir(task, a.a0, a.a1, a.a2));
        t.register(RMDIR, (task, a) -> unlink(task, FileFlags.AT_FDCWD, a.a0, FileFlags.AT_REMOVEDIR));
        t.register(UNLINK, (task, a) -> unlink(task, FileFlags.AT_FDCWD, a.a0, 0));
        t.register(UNLINKAT, (task, a) -> unlink(task, a.a0, a.a1, a.a2));
        t.register(RENAME, (task, a) -> rename(task, FileFlags.AT_FDCWD, a.a0, FileFlags.AT_FDCWD, a.a1, 0));
        t.register(RENAMEAT, (task, a) -> rename(task, a.a0, a.a1, a.a2, a.a3, 0));
        t.register(RENAMEAT2, (task, a) -> rename(task, a.a0, a.a1, a.a2, a.a3, a.a4));
        t.register(LINK, (task, a) -> link(task, FileFlags.AT_FDCWD, a.a0, FileFlags.AT_FDCWD, a.a1, 0));
        t.register(LINKAT, (task, a) -> link(task, a.a0, a.a1, a.a2, a.a3, a.a4));
        t.register(SYMLINK, (task, a) -> symlink(task, a.a0, FileFlags.AT_FDCWD, a.a1));
        t.register(SYMLINKAT, (task, a) -> symlink(task, a.a0, a.a1, a.a2));
        t.register(MKNOD, (task, a) -> mknod(task, FileFlags.AT_FDCWD, a.a0, a.a1, a.a2));
        t.register(MKNODAT, (task, a) -> mknod(task, a.a0, a.a1, a.a2, a.a3));
        t.register(GETDENTS64, (task, a) -> getdents(task, a.a0, u(a.a1), a.a2, true));
        t.register(GETDENTS, (task, a) -> getdents(task, a.a0, u(a.a1), a.a2, false));
        t.register(GETCWD, this::getcwd);
        t.register(CHDIR, (task, a) -> {
            String p = FileArgs.path(task, a.a0);
            task.fs().setCwd(FileArgs.vfs(task).directory(task, task.fs(), task.fs().cwd(), p));
            return 0;
        });
        t.register(FCHDIR, (task, a) -> fchdir(task, a.a0));
        t.register(CHROOT, (task, a) -> chroot(task, a.a0));
    }

    private static int mkdir(Task t, int dirfd, int pathAddr, int mode) {
        String p = FileArgs.path(t, pathAddr);
        FileArgs.vfs(t).tree().mkdir(t, t.fs(), FileArgs.base(t, dirfd, p), p, mode & ~t.fs().umask() & 07777);
        return 0;
    }

    private static int unlink(Task t, int dirfd, int pathAddr, int flags) {
        if ((flags & ~FileFlags.AT_REMOVEDIR) != 0) return -Errno.EINVAL;
        String p = FileArgs.path(t, pathAddr);
        var tree = FileArgs.vfs(t).tree();
        if ((flags & FileFlags.AT_REMOVEDIR) != 0) tree.rmdir(t, t.fs(), FileArgs.base(t, dirfd, p), p);
        else tree.unlink(t, t.fs(), FileArgs.base(t, dirfd, p), p);
        return 0;
    }

    private static int rename(Task t, int oldDir, int oldAddr, int newDir, int newAddr, int flags) {
        String from = FileArgs.path(t, oldAddr), to = FileArgs.path(t, newAddr);
        FileArgs.vfs(t).tree().rename(t, t.fs(), FileArgs.base(t, oldDir, from), from, FileArgs.base(t, newDir, to), to, flags);
        return 0;
    }

    private static int link(Task t, int oldDir, int oldAddr, int newDir, int newAddr, int flags) {
        if ((flags & ~(FileFlags.AT_SYMLINK_FOLLOW | FileFlags.AT_EMPTY_PATH)) != 0) return -Errno.EINVAL;
        String to = FileArgs.path(t, newAddr);
        Location old = FileArgs.at(t, oldDir, oldAddr, flags, true);
        FileArgs.vfs(t).tree().linkTo(t, old, t.fs(), FileArgs.base(t, newDir, to), to);
        return 0;
    }

    private static int symlink(Task t, int targetAddr, int dirfd, int pathAddr) {
        String target = FileArgs.path(t, targetAddr), p = FileArgs.path(t, pathAddr);
        FileArgs.vfs(t).tree().symlink(t, t.fs(), FileArgs.base(t, dirfd, p), target, p);
        return 0;
    }

    private static int mknod(Task t, int dirfd, int pathAddr, int mode, int dev) {
        String p = FileArgs.path(t, pathAddr);
        int perm = mode & 07777 & ~t.fs().umask();
        FileArgs.vfs(t).tree().mknod(t, t.fs(), FileArgs.base(t, dirfd, p), p, (mode & FileFlags.S_IFMT) | perm, dev);
        return 0;
    }

    /**
     * getdents64's struct linux_dirent64 {u64 ino; s64 off; u16 reclen; u8 type; char name[]} (8-byte aligned), or the
     * old getdents's struct linux_dirent {u32 ino; u32 off; u16 reclen; char name[]; ...; u8 type at reclen - 1}
     * (4-byte aligned; EOVERFLOW for an inode number past 32 bits).
     */
    private static int getdents(Task t, int fd, long buf, int len, boolean wide) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        if (!(f instanceof VfsFile v) || !v.inode().isDirectory()) return -Errno.ENOTDIR;
        if (len < 0) return -Errno.EINVAL;
        t.memory().probe(buf, len, true);
        UserMemory m = t.memory();
        int[] used = {0};
        boolean[] overflow = {false};
        DirentSink sink = (ino, next, type, name) -> {
            byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
            long at = buf + used[0];
            int reclen;
            if (wide) {
                reclen = (19 + n.length + 1 + 7) & ~7;
                if (used[0] + reclen > len) return false;
                m.writeLong(at, ino);
                m.writeLong(at + 8, next);
                m.writeShort(at + 16, (short) reclen);
                m.writeByte(at + 18, (byte) type);
                m.write(at + 19, n, 0, n.length);
                m.zero(at + 19 + n.length, reclen - 19 - n.length);
            } else {
                if (ino > 0xFFFFFFFFL) {
                    overflow[0] = true;
                    return false;
                }
                reclen = (10 + n.length + 2 + 3) & ~3;
                if (used[0] + reclen > len) return false;
                m.writeInt(at, (int) ino);
                m.writeInt(at + 4, (int) next);
                m.writeShort(at + 8, (short) reclen);
                m.write(at + 10, n, 0, n.length);
                m.zero(at + 10 + n.length, reclen - 10 - n.length);
                m.writeByte(at + reclen - 1, (byte) type);
            }
            used[0] += reclen;
            return true;
        };
        int r = f.getdents(t, sink);
        if (overflow[0] && used[0] == 0) return -Errno.EOVERFLOW;
        if (r < 0) return r;
        return used[0];
    }

    private int getcwd(Task t, SyscallArgs a) {
        byte[] p = FileArgs.vfs(t).cwd(t.fs()).getBytes(StandardCharsets.ISO_8859_1);
        if (p.length >= popek.linux.abi.FileFlags.PATH_MAX) return -Errno.ENAMETOOLONG;
        if (a.a1 < p.length + 1) return -Errno.ERANGE;
        t.memory().writeBytesZ(u(a.a0), p);
        return p.length + 1;
    }

    private static int fchdir(Task t, int fd) {
        FileDescription f = FileArgs.file(t, fd);
        if (!(f instanceof VfsFile v) || !v.inode().isDirectory()) return -Errno.ENOTDIR;
        Permissions.check(t.credentials(), v.inode(), Permissions.MAY_EXEC);
        t.fs().setCwd(v.location());
        return 0;
    }

    private static int chroot(Task t, int pathAddr) {
        String p = FileArgs.path(t, pathAddr);
        Location l = FileArgs.vfs(t).directory(t, t.fs(), t.fs().cwd(), p);
        if (!t.credentials().capable(t.credentials().userNs())) return -Errno.EPERM;   // CAP_SYS_CHROOT in its own user namespace
        t.fs().setRoot(l);
        return 0;
    }
}
