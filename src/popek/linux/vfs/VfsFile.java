package popek.linux.vfs;

/**
 * An open file that has a place in the tree (a regular file, a directory, an O_PATH descriptor, a FIFO or a device
 * opened by path): fstat, fchmod and the rest reach its inode, /proc/[pid]/fd shows its path, and *at calls and
 * fchdir start from it when it is a directory.
 */
public abstract class VfsFile extends FileDescription {
    protected final Location location;

    protected VfsFile(Location location, int flags) {
        super(flags);
        this.location = location;
    }

    public final Location location() { return location; }

    public final Inode inode() { return location.inode(); }

    @Override
    public int stat(Caller c, StatBuf out) {
        inode().stat(out);
        return 0;
    }

    @Override
    public String path() { return location.absolutePath(); }

    @Override
    public Dentry dentry() { return inode().isDirectory() ? location : null; }

    @Override
    protected void release() {
        FileLocks l = inode().locksIfAny();
        if (l != null) l.releaseFlock(this);
    }
}
