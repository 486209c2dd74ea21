package popek.linux.vfs;

import java.util.ArrayList;
import java.util.List;

/**
 * A file system (or a subtree of one: a bind mount) mounted at a place (Linux's vfsmount): its root entry, where it
 * sits in its parent mount, its flags, and the namespace it belongs to.
 */
public final class Mount {
    /** mount(2) flags kept per mount. */
    public static final int MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32,
            MS_NOATIME = 1024, MS_NODIRATIME = 2048, MS_BIND = 4096, MS_MOVE = 8192, MS_REC = 16384, MS_PRIVATE = 1 << 18,
            MS_SLAVE = 1 << 19, MS_SHARED = 1 << 20, MS_RELATIME = 1 << 21, MS_STRICTATIME = 1 << 24;
    /** The flags a mount keeps (the rest are actions). */
    public static final int KEPT = MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME;

    final FileSystem fs;
    final DirEntry root;
    final MountNamespace namespace;
    Mount parent;
    DirEntry mountpoint;
    int flags;
    final List<Mount> children = new ArrayList<>();

    Mount(MountNamespace namespace, FileSystem fs, DirEntry root, int flags) {
        this.namespace = namespace;
        this.fs = fs;
        this.root = root;
        this.flags = flags & KEPT;
    }

    public FileSystem fs() { return fs; }

    public DirEntry root() { return root; }

    public Mount parent() { return parent; }

    public DirEntry mountpoint() { return mountpoint; }

    public int flags() { return flags; }

    public MountNamespace namespace() { return namespace; }

    public boolean readOnly() { return (flags & MS_RDONLY) != 0 || fs.readOnly(); }

    /** The mount's own options (mountinfo's sixth field): ro or rw, nosuid, nodev, noexec, and atime. */
    public String flagOptions() {
        StringBuilder s = new StringBuilder(readOnly() ? "ro" : "rw");
        if ((flags & MS_NOSUID) != 0) s.append(",nosuid");
        if ((flags & MS_NODEV) != 0) s.append(",nodev");
        if ((flags & MS_NOEXEC) != 0) s.append(",noexec");
        s.append((flags & MS_NOATIME) != 0 ? ",noatime" : ",relatime");
        return s.toString();
    }

    /** The options /proc/mounts shows for it: the mount's and the file system's. */
    public String options() {
        String own = fs.options();
        return own.isEmpty() ? flagOptions() : flagOptions() + "," + own;
    }

    /** The path of the mount's root inside its file system ("/" unless it is a bind mount of a subtree). */
    public String rootPath() {
        StringBuilder b = new StringBuilder();
        DirEntry e = root;
        while (!e.isRoot()) {
            b.insert(0, e.name()).insert(0, '/');
            e = e.parent();
        }
        return b.isEmpty() ? "/" : b.toString();
    }
}
