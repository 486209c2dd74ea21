package popek.linux.vfs;

/**
 * A task's file-system context (Linux's fs_struct): its root, working directory and umask. Shared by tasks made
 * with CLONE_FS, copied otherwise.
 */
public final class FsContext {
    private Dentry root, cwd;
    private int umask;
    /** The tasks sharing it (CLONE_FS): setns into a mount or user namespace needs it unshared. */
    private int users = 1;

    public FsContext(Dentry root, Dentry cwd, int umask) {
        this.root = root;
        this.cwd = cwd;
        this.umask = umask;
    }

    public synchronized FsContext copy() { return new FsContext(root, cwd, umask); }

    /** One more task shares it (clone with CLONE_FS). */
    public synchronized FsContext share() {
        users++;
        return this;
    }

    /** A task sharing it ended or left it. */
    public synchronized void release() { users--; }

    /** True while more than one task shares it. */
    public synchronized boolean shared() { return users > 1; }

    public synchronized Dentry root() { return root; }

    public synchronized Dentry cwd() { return cwd; }

    public synchronized int umask() { return umask; }

    public synchronized void setRoot(Dentry d) { root = d; }

    public synchronized void setCwd(Dentry d) { cwd = d; }

    /** Sets the umask and returns the old one. */
    public synchronized int setUmask(int m) {
        int old = umask;
        umask = m & 0777;
        return old;
    }
}
