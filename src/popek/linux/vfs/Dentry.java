package popek.linux.vfs;

/**
 * A place in the file tree (a directory entry, as Linux names it): what a task's root and working directory are, and
 * where relative lookups start. The VFS owns what it holds; the kernel only keeps and hands these around.
 */
public interface Dentry {
    /** The absolute path from the task's root, as getcwd and /proc/[pid]/cwd show it. */
    String absolutePath();
}
