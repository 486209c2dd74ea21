package popek.linux.vfs;

/**
 * One file system instance (Linux's super_block): its type, its device number, its root inode and what statfs says
 * of it. Mounted at one or more places by {@link Mount}s.
 */
public abstract class FileSystem {
    private final String type;
    private final int dev;

    protected FileSystem(String type, int dev) {
        this.type = type;
        this.dev = dev;
    }

    /** The type name /proc/mounts and /proc/filesystems show ("tmpfs", "proc", "overlay"). */
    public final String type() { return type; }

    /** The device number stat reports as st_dev for every file of it. */
    public final int dev() { return dev; }

    public abstract Inode root();

    /** True when nothing in it can be changed (a layer of an image); writes fail with EROFS. */
    public boolean readOnly() { return false; }

    /** statfs(2): type magic, sizes, free space. */
    public abstract void statfs(StatFs out);

    /** The source field of /proc/mounts ("overlay", "tmpfs", "proc"). */
    public String source() { return type; }

    /** The container is gone: host resources (open channels) are let go. */
    public void close() { }

    /** File-system specific options /proc/mounts shows after the mount's own ("mode=755", ""). */
    public String options() { return ""; }
}
