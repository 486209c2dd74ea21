package popek.linux.syscalls;

import java.nio.charset.StandardCharsets;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.Task;
import popek.linux.vfs.Dentry;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;
import popek.linux.vfs.VfsFile;
import popek.linux.vfs.VirtualFilesystem;

import static popek.linux.kernel.SyscallArgs.u;

/**
 * How the file system calls read their arguments: the VFS of the task's kernel, paths from user memory (bytes kept as
 * ISO-8859-1 characters), descriptors, and the directory an *at call starts from (AT_FDCWD, a directory descriptor,
 * or with AT_EMPTY_PATH the descriptor itself).
 */
final class FileArgs {
    private FileArgs() { }

    static VirtualFilesystem vfs(Task t) { return (VirtualFilesystem) t.kernel().vfs(); }

    /** A path argument: ENOENT if empty, ENAMETOOLONG past PATH_MAX, EFAULT if unreadable. */
    static String path(Task t, int addr) { return VirtualFilesystem.pathString(t.memory(), u(addr)); }

    /** A path argument that may be empty (for AT_EMPTY_PATH). */
    static String pathOrEmpty(Task t, int addr) {
        byte[] b = t.memory().readBytesZ(u(addr), FileFlags.PATH_MAX - 1);
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    static FileDescription file(Task t, int fd) {
        FileDescription f = t.fds().get(fd);
        if (f == null) throw Errno.error(Errno.EBADF);
        return f;
    }

    /** Where a relative {@code path} of an *at call starts: the cwd for AT_FDCWD, else the directory {@code dirfd} is. */
    static Dentry base(Task t, int dirfd, String path) {
        if (dirfd == FileFlags.AT_FDCWD || (!path.isEmpty() && path.charAt(0) == '/')) return t.fs().cwd();
        FileDescription f = file(t, dirfd);
        if (!(f instanceof VfsFile v) || !v.inode().isDirectory()) throw Errno.error(Errno.ENOTDIR);
        return v.location();
    }

    /** The place a descriptor (or AT_FDCWD) names, for AT_EMPTY_PATH and the f* calls. */
    static Location fdLocation(Task t, int fd) {
        if (fd == FileFlags.AT_FDCWD) return (Location) t.fs().cwd();
        FileDescription f = file(t, fd);
        if (f instanceof VfsFile v) return v.location();
        throw Errno.error(Errno.EINVAL);   // a pipe or a host stream: no place in the tree
    }

    /**
     * The place an *at call's ({@code dirfd}, {@code pathAddr}, {@code flags}) names: AT_EMPTY_PATH with "" is
     * {@code dirfd} itself; AT_SYMLINK_NOFOLLOW (or, with {@code followFlag}, the absence of AT_SYMLINK_FOLLOW) keeps a
     * final symbolic link.
     */
    static Location at(Task t, int dirfd, int pathAddr, int flags, boolean followFlag) {
        String p = pathOrEmpty(t, pathAddr);
        if (p.isEmpty()) {
            if ((flags & FileFlags.AT_EMPTY_PATH) == 0) throw Errno.error(Errno.ENOENT);
            return fdLocation(t, dirfd);
        }
        boolean follow = followFlag ? (flags & FileFlags.AT_SYMLINK_FOLLOW) != 0 : (flags & FileFlags.AT_SYMLINK_NOFOLLOW) == 0;
        return vfs(t).lookup(t, t.fs(), base(t, dirfd, p), p, follow);
    }

    /** A path walked from the cwd (the non-*at calls). */
    static Location lookup(Task t, int pathAddr, boolean follow) {
        String p = path(t, pathAddr);
        return vfs(t).lookup(t, t.fs(), t.fs().cwd(), p, follow);
    }

    /** Writes {@code s}'s bytes (no NUL) into a buffer of {@code size}: the count written (readlink). */
    static int copyOutBytes(Task t, long buf, int size, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        int n = Math.min(size, b.length);
        t.memory().write(buf, b, 0, n);
        return n;
    }
}
