package popek.linux.vfs;

import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;

/**
 * One file of a file system (Linux's inode): its attributes and, by its type, its directory entries, its contents or
 * its link target. File systems subclass it and override what they support; the rest fails as Linux fails it. The
 * VFS has already checked permissions, names and types before it calls the changing operations (create, unlink,
 * rename, chmod, ...), which only do the change and fail with EROFS, ENOSPC or EIO.
 */
public abstract class Inode {
    protected final FileSystem fs;
    /** The pipe of a FIFO, made at its first open (see {@link SpecialFiles}); hard links share it. */
    public Object fifo;
    private FileLocks locks;

    protected Inode(FileSystem fs) { this.fs = fs; }

    public final FileSystem fs() { return fs; }

    // ---------------------------------------------------------------- attributes

    public abstract long ino();

    /** Type and permission bits (S_IFMT | 07777). */
    public abstract int mode();

    public abstract int uid();

    public abstract int gid();

    public final int type() { return mode() & FileFlags.S_IFMT; }

    public final boolean isDirectory() { return type() == FileFlags.S_IFDIR; }

    public final boolean isSymlink() { return type() == FileFlags.S_IFLNK; }

    public final boolean isRegular() { return type() == FileFlags.S_IFREG; }

    /** Every attribute, for stat (st_dev is the file system's). */
    public abstract void stat(StatBuf out);

    /** chmod: the permission bits (07777). */
    public void chmod(int mode) { throw Errno.error(Errno.EROFS); }

    /** chown: a new owner and group (-1 leaves one as it is). */
    public void chown(int uid, int gid) { throw Errno.error(Errno.EROFS); }

    /** utimensat: new access and modification times in ns ({@link FileTimes#UTIME_OMIT} leaves one); ctime is now. */
    public void setTimes(long atime, long mtime) { throw Errno.error(Errno.EROFS); }

    /** The file was read (or a directory listed): atime as relatime would have it. */
    public void accessed() { }

    // ---------------------------------------------------------------- directories

    /** The entry {@code name} (never "." or ".."), or null if there is none. */
    public Inode lookup(String name) { throw Errno.error(Errno.ENOTDIR); }

    /** True when lookups' results may be kept (false for /proc, whose entries come and go with processes). */
    public boolean cacheable() { return true; }

    /** One entry of a directory listing. */
    public record Entry(String name, long ino, int type) { }

    /** Every entry but "." and "..", in the directory's order. */
    public void list(List<Entry> out) { throw Errno.error(Errno.ENOTDIR); }

    /** Makes a regular file, FIFO, device or socket {@code name} (mode has the type), owned by uid:gid. */
    public Inode create(String name, int mode, int rdev, int uid, int gid) { throw Errno.error(Errno.EROFS); }

    public Inode mkdir(String name, int mode, int uid, int gid) { throw Errno.error(Errno.EROFS); }

    public Inode symlink(String name, String target, int uid, int gid) { throw Errno.error(Errno.EROFS); }

    /** A hard link {@code name} to {@code target} (a file of the same file system, not a directory). */
    public void link(String name, Inode target) { throw Errno.error(Errno.EROFS); }

    /** Removes the entry {@code name} (not a directory) naming {@code child}. */
    public void unlink(String name, Inode child) { throw Errno.error(Errno.EROFS); }

    /** Removes the empty directory {@code name}; ENOTEMPTY if it has entries. */
    public void rmdir(String name, Inode child) { throw Errno.error(Errno.EROFS); }

    /**
     * Moves entry {@code oldName} (naming {@code child}) to {@code newDir}/{@code newName}, replacing
     * {@code replaced} (null if none; the VFS checked that types agree and a directory replaced is empty).
     */
    public void rename(String oldName, Inode child, Inode newDir, String newName, Inode replaced) { throw Errno.error(Errno.EROFS); }

    /** RENAME_EXCHANGE: swaps {@code oldName} here with {@code newName} in {@code newDir}. */
    public void exchange(String oldName, Inode child, Inode newDir, String newName, Inode other) { throw Errno.error(Errno.EINVAL); }

    // ---------------------------------------------------------------- contents

    /** A regular file's contents, opened for one open file ({@code flags}: open's). */
    public FileData openData(int flags) { throw Errno.error(Errno.EINVAL); }

    /** truncate: the new size of a regular file. */
    public void truncate(long size) { throw Errno.error(Errno.EROFS); }

    /** A symbolic link's target. */
    public String readlink() { throw Errno.error(Errno.EINVAL); }

    /** A symbolic link's target as {@code c} reads it (/proc/self names the reader). */
    public String readlink(Caller c) { return readlink(); }

    /**
     * For /proc's links to places (cwd, root, exe, fd/N): where following it leads, bypassing its text, or null for an
     * ordinary symbolic link.
     */
    public Location followMagic(Caller c) { return null; }

    /** For /proc/[pid]/fd/N naming a file with no place in the tree (a pipe): that open file, or null. */
    public FileDescription magicFile(Caller c) { return null; }

    /**
     * Opens this file when its file system opens it its own way (/proc's generated files); null lets the VFS open it
     * by its type (regular file, directory, FIFO, device).
     */
    public FileDescription open(Location at, int flags, Caller c) { return null; }

    /** The record and flock locks on this file, made on first use. */
    public final synchronized FileLocks locks() {
        if (locks == null) locks = new FileLocks();
        return locks;
    }

    /** The locks if any were ever taken, else null (closing a file need not make them). */
    public final synchronized FileLocks locksIfAny() { return locks; }

    /** Whose {@link #fifo} slot holds this FIFO's pipe (an overlay's file answers its layer's inode). */
    public Inode fifoHolder() { return this; }

    /** The device number of a character or block device. */
    public int rdev() { return 0; }
}
