package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;

/**
 * Changes to the tree's names, with Linux's checks in Linux's order: creating files, directories, nodes and links,
 * removing them, and rename with RENAME_NOREPLACE and RENAME_EXCHANGE. Each walks to the parent, checks the mount is
 * writable and the caller may write there (sticky directories too), has the inode do the change, and keeps the
 * tree of entries in step.
 */
public final class TreeChanges {
    public static final int RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

    private final VirtualFilesystem vfs;

    TreeChanges(VirtualFilesystem vfs) { this.vfs = vfs; }

    /** The owner, group and mode a new file in {@code dir} gets: setgid directories pass on their group. */
    private static int groupFor(Credentials c, Inode dir) {
        return (dir.mode() & FileFlags.S_ISGID) != 0 ? dir.gid() : c.fsgid();
    }

    private static int modeFor(Credentials c, Inode dir, int mode, int gid) {
        if ((mode & FileFlags.S_IFMT) == FileFlags.S_IFDIR) {
            if ((dir.mode() & FileFlags.S_ISGID) != 0) mode |= FileFlags.S_ISGID;
        } else if ((mode & FileFlags.S_ISGID) != 0 && !c.inGroup(gid) && !c.overridesFiles(dir.uid(), dir.gid())) {
            mode &= ~FileFlags.S_ISGID;
        }
        return mode;
    }

    /** Checks that a name may be made in {@code parent}: it names nothing yet, the mount is writable, we may write. */
    private static void checkCreate(Credentials c, PathWalker.Walk w) {
        if (w.child != null || w.name.isEmpty() || w.name.equals(".") || w.name.equals("..")) throw Errno.error(Errno.EEXIST);
        if (w.parent.entry().removed()) throw Errno.error(Errno.ENOENT);
        if (w.parent.mount().readOnly()) throw Errno.error(Errno.EROFS);
        Permissions.check(c, w.parent.inode(), Permissions.MAY_WRITE | Permissions.MAY_EXEC);
    }

    /** open(O_CREAT) of a name that does not exist: a new regular file. */
    Location createFile(Credentials c, Location parent, String name, int mode) {
        PathWalker.Walk w = new PathWalker.Walk();
        w.parent = parent;
        w.name = name;
        checkCreate(c, w);
        return make(c, parent, name, mode, 0);
    }

    private Location make(Credentials c, Location parent, String name, int mode, int rdev) {
        Inode dir = parent.inode();
        int gid = groupFor(c, dir);
        mode = modeFor(c, dir, mode, gid);
        Inode made = (mode & FileFlags.S_IFMT) == FileFlags.S_IFDIR ? dir.mkdir(name, mode, c.fsuid(), gid)
                : dir.create(name, mode, rdev, c.fsuid(), gid);
        return new Location(parent.mount(), parent.entry().added(name, made));
    }

    /** mkdir(2): {@code mode} with the umask applied. */
    public void mkdir(Caller c, FsContext fs, Dentry base, String path, int mode) {
        PathWalker.Walk w = vfs.walk(c, fs, base, path, false);
        checkCreate(c.credentials(), w);
        make(c.credentials(), w.parent, w.name, FileFlags.S_IFDIR | (mode & 07777), 0);
    }

    /** mknod(2): regular files, FIFOs and (for root) devices and sockets. */
    public void mknod(Caller c, FsContext fs, Dentry base, String path, int mode, int dev) {
        int type = mode & FileFlags.S_IFMT;
        if (type == 0) type = FileFlags.S_IFREG;
        switch (type) {
            case FileFlags.S_IFREG, FileFlags.S_IFIFO, FileFlags.S_IFSOCK -> { }
            case FileFlags.S_IFCHR, FileFlags.S_IFBLK -> {
                if (!c.credentials().privileged()) throw Errno.error(Errno.EPERM);   // CAP_MKNOD
            }
            case FileFlags.S_IFDIR -> throw Errno.error(Errno.EPERM);
            default -> throw Errno.error(Errno.EINVAL);
        }
        PathWalker.Walk w = vfs.walk(c, fs, base, path, false);
        if (w.trailingSlash && w.child == null) throw Errno.error(Errno.ENOENT);
        checkCreate(c.credentials(), w);
        boolean device = type == FileFlags.S_IFCHR || type == FileFlags.S_IFBLK;
        make(c.credentials(), w.parent, w.name, type | (mode & 07777), device ? dev : 0);
    }

    /** symlink(2): a link at {@code path} holding {@code target}. */
    public void symlink(Caller c, FsContext fs, Dentry base, String target, String path) {
        if (target.isEmpty()) throw Errno.error(Errno.ENOENT);
        PathWalker.Walk w = vfs.walk(c, fs, base, path, false);
        if (w.trailingSlash && w.child == null) throw Errno.error(Errno.ENOENT);
        Credentials cr = c.credentials();
        checkCreate(cr, w);
        Inode made = w.parent.inode().symlink(w.name, target, cr.fsuid(), groupFor(cr, w.parent.inode()));
        w.parent.entry().added(w.name, made);
    }

    /** link(2)/linkat: a new name for an existing file (not a directory), on the same mount. */
    public void link(Caller c, FsContext fs, Dentry oldBase, String oldPath, Dentry newBase, String newPath, boolean follow) {
        Location old = vfs.lookup(c, fs, oldBase, oldPath, follow);
        linkTo(c, old, fs, newBase, newPath);
    }

    /** linkat with AT_EMPTY_PATH: a new name for the file an open descriptor has. */
    public void linkTo(Caller c, Location old, FsContext fs, Dentry newBase, String newPath) {
        Inode target = old.inode();
        if (target.isDirectory()) throw Errno.error(Errno.EPERM);
        PathWalker.Walk w = vfs.walk(c, fs, newBase, newPath, false);
        if (w.trailingSlash) throw Errno.error(w.child == null ? Errno.ENOENT : Errno.EEXIST);
        checkCreate(c.credentials(), w);
        if (w.parent.mount() != old.mount()) throw Errno.error(Errno.EXDEV);
        if (old.entry().removed()) throw Errno.error(Errno.ENOENT);
        w.parent.inode().link(w.name, target);
        w.parent.entry().added(w.name, target);
    }

    /** unlink(2): removes a name that is not a directory. */
    public void unlink(Caller c, FsContext fs, Dentry base, String path) {
        PathWalker.Walk w = vfs.walk(c, fs, base, path, false);
        if (w.child == null) throw Errno.error(Errno.ENOENT);
        if (w.name.isEmpty() || w.name.equals(".") || w.name.equals("..")) throw Errno.error(Errno.EISDIR);
        Inode child = w.child.inode();
        if (child.isDirectory()) throw Errno.error(Errno.EISDIR);
        if (w.trailingSlash) throw Errno.error(Errno.ENOTDIR);
        checkRemove(c.credentials(), w);
        w.parent.inode().unlink(w.name, child);
        w.parent.entry().forget(w.name);
    }

    /** rmdir(2): removes an empty directory. */
    public void rmdir(Caller c, FsContext fs, Dentry base, String path) {
        PathWalker.Walk w = vfs.walk(c, fs, base, path, false);
        if (w.child == null) throw Errno.error(Errno.ENOENT);
        if (w.name.equals(".")) throw Errno.error(Errno.EINVAL);
        if (w.name.equals("..")) throw Errno.error(Errno.ENOTEMPTY);
        if (w.name.isEmpty()) throw Errno.error(Errno.EBUSY);
        Inode child = w.child.inode();
        if (!child.isDirectory()) throw Errno.error(Errno.ENOTDIR);
        checkRemove(c.credentials(), w);
        w.parent.inode().rmdir(w.name, child);
        w.parent.entry().forget(w.name);
    }

    private static void checkRemove(Credentials c, PathWalker.Walk w) {
        if (w.parent.mount().readOnly()) throw Errno.error(Errno.EROFS);
        Permissions.checkDelete(c, w.parent.inode(), w.child.inode());
        if (w.child.mount() != w.parent.mount() || w.child.entry().mountPoint()) throw Errno.error(Errno.EBUSY);
    }

    /** rename(2), renameat2(2). */
    public void rename(Caller c, FsContext fs, Dentry oldBase, String oldPath, Dentry newBase, String newPath, int flags) {
        if ((flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0) throw Errno.error(Errno.EINVAL);
        if ((flags & RENAME_EXCHANGE) != 0 && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)) != 0) throw Errno.error(Errno.EINVAL);
        if ((flags & RENAME_WHITEOUT) != 0) throw Errno.error(Errno.EINVAL);
        boolean exchange = (flags & RENAME_EXCHANGE) != 0;
        Credentials cr = c.credentials();
        PathWalker.Walk from = vfs.walk(c, fs, oldBase, oldPath, false);
        PathWalker.Walk to = vfs.walk(c, fs, newBase, newPath, false);
        if (isDot(from.name)) throw Errno.error(Errno.EBUSY);
        if (from.child == null) throw Errno.error(Errno.ENOENT);
        if (isDot(to.name)) throw Errno.error((flags & RENAME_NOREPLACE) != 0 ? Errno.EEXIST : Errno.EBUSY);
        if (from.parent.mount() != to.parent.mount()) throw Errno.error(Errno.EXDEV);
        Inode moving = from.child.inode();
        Inode there = to.child == null ? null : to.child.inode();
        if (from.trailingSlash && !moving.isDirectory()) throw Errno.error(Errno.ENOTDIR);
        if (to.trailingSlash && !moving.isDirectory()) throw Errno.error(there == null ? Errno.ENOENT : Errno.ENOTDIR);
        if (exchange && there == null) throw Errno.error(Errno.ENOENT);
        if ((flags & RENAME_NOREPLACE) != 0 && there != null) throw Errno.error(Errno.EEXIST);
        if (from.parent.mount().readOnly()) throw Errno.error(Errno.EROFS);
        if (there == moving) return;   // two names of one file: nothing to do
        if (moving.isDirectory() && isAncestor(from.child, to.parent)) throw Errno.error(Errno.EINVAL);
        if (there != null && there.isDirectory() && isAncestor(to.child, from.parent)) {
            throw Errno.error(exchange ? Errno.EINVAL : Errno.ENOTEMPTY);
        }
        if (there != null && !exchange) {
            if (moving.isDirectory() && !there.isDirectory()) throw Errno.error(Errno.ENOTDIR);
            if (!moving.isDirectory() && there.isDirectory()) throw Errno.error(Errno.EISDIR);
        }
        Permissions.checkDelete(cr, from.parent.inode(), moving);
        if (there != null) Permissions.checkDelete(cr, to.parent.inode(), there);
        else Permissions.check(cr, to.parent.inode(), Permissions.MAY_WRITE | Permissions.MAY_EXEC);
        boolean newParent = from.parent.entry() != to.parent.entry();
        if (moving.isDirectory() && newParent) Permissions.check(cr, moving, Permissions.MAY_WRITE);
        if (exchange && there.isDirectory() && newParent) Permissions.check(cr, there, Permissions.MAY_WRITE);
        if (from.child.entry().mountPoint() || (to.child != null && to.child.entry().mountPoint())
                || from.child.mount() != from.parent.mount() || (to.child != null && to.child.mount() != to.parent.mount())) {
            throw Errno.error(Errno.EBUSY);
        }
        if (to.parent.entry().removed()) throw Errno.error(Errno.ENOENT);
        Inode fromDir = from.parent.inode(), toDir = to.parent.inode();
        if (exchange) {
            fromDir.exchange(from.name, moving, toDir, to.name, there);
            DirEntry a = from.parent.entry(), b = to.parent.entry();
            a.moved(from.name, b, "\0exchange");
            b.moved(to.name, a, from.name);
            b.moved("\0exchange", b, to.name);
            return;
        }
        fromDir.rename(from.name, moving, toDir, to.name, there);
        if (there != null) to.parent.entry().forget(to.name);
        from.parent.entry().moved(from.name, to.parent.entry(), to.name);
    }

    private static boolean isDot(String name) { return name.isEmpty() || name.equals(".") || name.equals(".."); }

    /**
     * True when {@code a} is {@code b} or one of its ancestors (in the same mount). Unbounded on purpose: the tree has
     * no cycle (this check is what keeps it so), and a program may nest directories deeper than any path can name.
     */
    private static boolean isAncestor(Location a, Location b) {
        if (a.mount() != b.mount()) return false;
        for (DirEntry e = b.entry(); ; e = e.parent()) {
            if (e == a.entry()) return true;
            if (e.isRoot()) return false;
        }
    }
}
