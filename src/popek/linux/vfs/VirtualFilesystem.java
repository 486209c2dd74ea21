package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;
import popek.linux.mm.UserMemory;

/**
 * A container's file tree and the operations the file system calls make on it (Linux's fs/namei.c and fs/open.c,
 * gVisor's VirtualFilesystem): path walks from a task's root and working directory in its mount namespace, open with
 * every open(2) flag, stat, readlink, access, statfs, and (through {@link TreeChanges} and {@link AttributeChanges})
 * creating, removing, renaming and changing files. Errors are thrown as {@link popek.linux.abi.SyscallException}.
 */
public final class VirtualFilesystem implements Vfs {
    private final MountNamespace namespace;
    private final SpecialFiles special;
    private final TreeChanges tree = new TreeChanges(this);
    private final AttributeChanges attributes = new AttributeChanges();
    private final RecordLocks recordLocks = new RecordLocks();

    public VirtualFilesystem(MountNamespace namespace, SpecialFiles special) {
        this.namespace = namespace;
        this.special = special;
    }

    /** The namespace the first process starts in. */
    public MountNamespace namespace() { return namespace; }

    public SpecialFiles special() { return special; }

    public TreeChanges tree() { return tree; }

    public AttributeChanges attributes() { return attributes; }

    /** The container's record locks as a whole (deadlock detection, release at exit). */
    public RecordLocks recordLocks() { return recordLocks; }

    @Override
    public void processExited(int pid) {
        recordLocks.processExited(pid);
        special.processExited(pid);
    }

    @Override
    public Location root() { return namespace.root(); }

    // ---------------------------------------------------------------- walks

    static Location loc(Dentry d) {
        if (d instanceof Location l) return l;
        throw Errno.error(Errno.ENOENT);
    }

    /** Walks {@code path} for {@code c} from {@code base} (relative) or the task's root (absolute). */
    public PathWalker.Walk walk(Caller c, FsContext fs, Dentry base, String path, boolean followLast) {
        return PathWalker.walk(c, c.credentials(), loc(fs.root()), loc(base), path, followLast);
    }

    /** The existing place {@code path} names (ENOENT if it does not exist; a trailing slash demands a directory). */
    public Location lookup(Caller c, FsContext fs, Dentry base, String path, boolean followLast) {
        PathWalker.Walk w = walk(c, fs, base, path, followLast);
        if (w.child == null) throw Errno.error(Errno.ENOENT);
        if (w.trailingSlash && !w.child.inode().isDirectory()) throw Errno.error(Errno.ENOTDIR);
        return w.child;
    }

    // ---------------------------------------------------------------- the kernel's view (Vfs)

    @Override
    public FileDescription open(FsContext fs, Dentry base, String path, int flags, int mode, Credentials creds) {
        Caller c = Callers.of(creds);
        Location l = lookup(c, fs, base, path, (flags & FileFlags.O_NOFOLLOW) == 0);
        int type = l.inode().type();
        // The kernel opens programs and interpreters this way: never a FIFO or a device, which could block or act. It
        // checks execute permission itself; execve needs no read permission (a --x--x--x program runs), so none here.
        if (type != FileFlags.S_IFREG && type != FileFlags.S_IFDIR) throw Errno.error(Errno.EACCES);
        return openAt(c, l, flags & ~(FileFlags.O_CREAT | FileFlags.O_TRUNC | FileFlags.O_ACCMODE), true);
    }

    @Override
    public void stat(FsContext fs, Dentry base, String path, boolean follow, Credentials creds, StatBuf out) {
        lookup(Callers.of(creds), fs, base, path, follow).inode().stat(out);
    }

    @Override
    public Dentry directory(FsContext fs, Dentry base, String path, Credentials creds) {
        return directory(Callers.of(creds), fs, base, path);
    }

    /** A directory the caller may search (chdir, chroot). */
    public Location directory(Caller c, FsContext fs, Dentry base, String path) {
        Location l = lookup(c, fs, base, path, true);
        if (!l.inode().isDirectory()) throw Errno.error(Errno.ENOTDIR);
        Permissions.check(c.credentials(), l.inode(), Permissions.MAY_EXEC);
        return l;
    }

    // ---------------------------------------------------------------- open

    /**
     * open(2): {@code mode} is the creation mode with the umask already applied. Returns the new open file; throws
     * Linux's errno (EAGAIN from a FIFO open that must wait for the other side).
     */
    public FileDescription open(Caller c, FsContext fs, Dentry base, String path, int flags, int mode) {
        Credentials cr = c.credentials();
        if ((flags & FileFlags.O_PATH) != 0) {
            flags &= FileFlags.O_PATH | FileFlags.O_DIRECTORY | FileFlags.O_NOFOLLOW | FileFlags.O_CLOEXEC;
        }
        boolean creat = (flags & FileFlags.O_CREAT) != 0, excl = creat && (flags & FileFlags.O_EXCL) != 0;
        if ((flags & FileFlags.O_TMPFILE) == FileFlags.O_TMPFILE) throw Errno.error(Errno.EOPNOTSUPP);
        boolean follow = (flags & FileFlags.O_NOFOLLOW) == 0 && !excl;
        PathWalker.Walk w = walk(c, fs, base, path, follow);
        Location target = w.child;
        boolean created = false;
        if (target == null) {
            if (!creat) throw Errno.error(Errno.ENOENT);
            if (w.trailingSlash) throw Errno.error(Errno.EISDIR);
            target = tree.createFile(cr, w.parent, w.name, FileFlags.S_IFREG | (mode & 07777));
            created = true;
        } else {
            if (excl) throw Errno.error(Errno.EEXIST);
            Inode i = target.inode();
            if (creat && i.isDirectory()) throw Errno.error(Errno.EISDIR);
            if (w.trailingSlash && !i.isDirectory()) throw Errno.error(Errno.ENOTDIR);
            FileDescription magic = i.isSymlink() ? i.magicFile(c) : null;
            if (magic != null && (flags & FileFlags.O_PATH) == 0) {
                magic.retain();   // /proc/[pid]/fd/N of a pipe: the same open file
                return magic;
            }
        }
        return openAt(c, target, flags, created);
    }

    /** Opens the file at {@code l} (found, or just created when {@code created}: no permission check then). */
    public FileDescription openAt(Caller c, Location l, int flags, boolean created) {
        Inode i = l.inode();
        int acc = flags & FileFlags.O_ACCMODE;
        if ((flags & FileFlags.O_PATH) != 0) {
            if ((flags & FileFlags.O_DIRECTORY) != 0 && !i.isDirectory()) throw Errno.error(Errno.ENOTDIR);
            return new PathFile(l, flags);
        }
        if (i.isSymlink()) throw Errno.error(Errno.ELOOP);
        if ((flags & FileFlags.O_DIRECTORY) != 0 && !i.isDirectory()) throw Errno.error(Errno.ENOTDIR);
        if (acc == 3) throw Errno.error(Errno.EINVAL);
        boolean write = acc != FileFlags.O_RDONLY, truncate = (flags & FileFlags.O_TRUNC) != 0;
        if (i.isDirectory() && (write || truncate)) throw Errno.error(Errno.EISDIR);
        int type = i.type();
        if (!created) {
            int mask = (acc == FileFlags.O_RDONLY ? Permissions.MAY_READ : 0) | (write ? Permissions.MAY_WRITE : 0)
                    | (acc == FileFlags.O_RDWR ? Permissions.MAY_READ : 0) | (truncate && type == FileFlags.S_IFREG ? Permissions.MAY_WRITE : 0);
            Permissions.check(c.credentials(), i, mask);
        }
        if ((write || (truncate && type == FileFlags.S_IFREG)) && (type == FileFlags.S_IFREG || type == FileFlags.S_IFDIR) && l.mount().readOnly()) {
            throw Errno.error(Errno.EROFS);
        }
        FileDescription own = i.open(l, flags, c);
        if (own != null) return own;
        switch (type) {
            case FileFlags.S_IFREG -> {
                if (truncate && write && !created) i.truncate(0);
                return new RegularFile(l, i.openData(flags), flags);
            }
            case FileFlags.S_IFDIR -> { return new DirectoryFile(l, flags); }
            case FileFlags.S_IFIFO -> { return special.openFifo(c, l, flags); }
            case FileFlags.S_IFCHR -> {
                if ((l.mount().flags() & Mount.MS_NODEV) != 0) throw Errno.error(Errno.EACCES);
                return special.openDevice(c, l, flags);
            }
            default -> throw Errno.error(Errno.ENXIO);   // block devices and sockets have no driver here
        }
    }

    // ---------------------------------------------------------------- reading the tree

    /** readlink(2): a symbolic link's target (EINVAL for anything else). */
    public String readlink(Caller c, FsContext fs, Dentry base, String path) {
        Location l = lookup(c, fs, base, path, false);
        if (!l.inode().isSymlink()) throw Errno.error(Errno.EINVAL);
        return l.inode().readlink(c);
    }

    /** access/faccessat: {@code mode} (R_OK|W_OK|X_OK, or F_OK) with the real ids unless {@code effective}. */
    public void access(Caller c, FsContext fs, Dentry base, String path, int mode, boolean effective, boolean follow) {
        Credentials cr = c.credentials();
        if (!effective) {
            cr = cr.realForAccess();
        }
        Caller as = Callers.of(cr, c);
        Location l = lookup(as, fs, base, path, follow);
        if (mode == FileFlags.F_OK) return;
        Inode i = l.inode();
        if ((mode & FileFlags.W_OK) != 0 && l.mount().readOnly() && (i.isRegular() || i.isDirectory() || i.isSymlink())) {
            throw Errno.error(Errno.EROFS);
        }
        Permissions.check(cr, i, mode & 7);
    }

    /** statfs of the file system holding {@code l}, with its mount's flags. */
    public void statfs(Location l, StatFs out) {
        l.mount().fs().statfs(out);
        long f = StatFs.ST_VALID;
        int mf = l.mount().flags();
        if (l.mount().readOnly()) f |= StatFs.ST_RDONLY;
        if ((mf & Mount.MS_NOSUID) != 0) f |= StatFs.ST_NOSUID;
        if ((mf & Mount.MS_NODEV) != 0) f |= StatFs.ST_NODEV;
        if ((mf & Mount.MS_NOEXEC) != 0) f |= StatFs.ST_NOEXEC;
        if ((mf & Mount.MS_NOATIME) == 0) f |= StatFs.ST_RELATIME;
        out.flags = f;
        int dev = l.mount().fs().dev();
        out.fsidLow = dev;
        out.fsidHigh = 0;
    }

    /** getcwd: the working directory as seen from the task's root. */
    public String cwd(FsContext fs) { return loc(fs.cwd()).pathFrom(loc(fs.root())); }

    /** Reading a user string of a path: the bytes as ISO-8859-1 characters, one per byte (ENAMETOOLONG, EFAULT, ENOENT if empty). */
    public static String pathString(UserMemory m, long addr) {
        byte[] b = m.readBytesZ(addr, FileFlags.PATH_MAX - 1);
        if (b.length == 0) throw Errno.error(Errno.ENOENT);
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
