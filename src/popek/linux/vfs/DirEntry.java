package popek.linux.vfs;

import java.util.HashMap;
import java.util.Map;

/**
 * A name in the tree bound to an inode (Linux's dentry): its parent, the children looked up so far (kept, so a
 * working directory, a mount point and an open file keep one identity and follow renames), and whether it was
 * removed. One tree per file system; mounts graft trees together (see {@link Location}).
 */
public final class DirEntry {
    private String name;
    private DirEntry parent;
    private final Inode inode;
    private Map<String, DirEntry> children;
    private boolean removed;
    /** How many mounts sit on this entry (in any namespace): a walk looks for one only where this is non-zero. */
    int mounts;

    /** The root of a file system's tree. */
    public DirEntry(Inode root) { this(null, "/", root); }

    public DirEntry(DirEntry parent, String name, Inode inode) {
        this.parent = parent;
        this.name = name;
        this.inode = inode;
    }

    public Inode inode() { return inode; }

    public synchronized String name() { return name; }

    /** The parent (itself for a root). */
    public synchronized DirEntry parent() { return parent == null ? this : parent; }

    public synchronized boolean isRoot() { return parent == null; }

    public synchronized boolean removed() { return removed; }

    public boolean mountPoint() { return mounts > 0; }

    /**
     * The child {@code name}, looked up in the inode unless already known; null if there is none. Removed directories
     * have no children.
     */
    public DirEntry child(String name) {
        synchronized (this) {
            if (removed) return null;
            if (children != null) {
                DirEntry c = children.get(name);
                if (c != null) return c;
            }
        }
        Inode i = inode.lookup(name);
        if (i == null) return null;
        DirEntry c = new DirEntry(this, name, i);
        if (!inode.cacheable()) return c;
        synchronized (this) {
            if (children == null) children = new HashMap<>();
            DirEntry known = children.putIfAbsent(name, c);
            return known != null ? known : c;
        }
    }

    /** A child just created by the inode. */
    public synchronized DirEntry added(String name, Inode i) {
        DirEntry c = new DirEntry(this, name, i);
        if (inode.cacheable()) {
            if (children == null) children = new HashMap<>();
            children.put(name, c);
        }
        return c;
    }

    /** The child {@code name} went away (unlinked, or replaced by a rename): it is marked removed. */
    public void forget(String name) {
        DirEntry c;
        synchronized (this) {
            c = children == null ? null : children.remove(name);
        }
        if (c != null) c.markRemoved();
    }

    synchronized void markRemoved() { removed = true; }

    /** A rename moved child {@code oldName} to {@code newParent}/{@code newName} (what was there already forgotten). */
    public void moved(String oldName, DirEntry newParent, String newName) {
        DirEntry c;
        synchronized (this) {
            c = children == null ? null : children.remove(oldName);
        }
        if (c == null) return;
        synchronized (c) {
            c.parent = newParent;
            c.name = newName;
        }
        synchronized (newParent) {
            if (newParent.inode.cacheable()) {
                if (newParent.children == null) newParent.children = new HashMap<>();
                newParent.children.put(newName, c);
            }
        }
    }

    /** The child already known as {@code name}, or null (nothing is looked up). */
    public synchronized DirEntry cached(String name) { return children == null ? null : children.get(name); }

    @Override
    public String toString() { return "DirEntry(" + name + ")"; }
}
