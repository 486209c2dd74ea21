package popek.linux.vfs;

/**
 * A place in a mount namespace (gVisor's VirtualDentry, Linux's struct path): a mount and an entry of its tree. What a
 * task's root and working directory are, what an open file remembers, and what path walks move between.
 */
public record Location(Mount mount, DirEntry entry) implements Dentry {
    public Inode inode() { return entry.inode(); }

    /** True at the root of its mount. */
    public boolean atMountRoot() { return entry == mount.root; }

    @Override
    public String absolutePath() { return pathFrom(null); }

    /**
     * The path of this place as seen from {@code root} (null: the namespace's root), as getcwd and /proc show it: with
     * " (deleted)" after a removed one, and "(unreachable)" before one outside {@code root}.
     */
    public String pathFrom(Location root) {
        java.util.ArrayList<String> names = new java.util.ArrayList<>();
        Mount m = mount;
        DirEntry e = entry;
        boolean reached;
        while (true) {   // ends at the namespace's root: the tree and the mounts have no cycle
            if (root != null && m == root.mount && e == root.entry) {
                reached = true;
                break;
            }
            if (e == m.root) {
                if (m.parent == null) {
                    reached = root == null;
                    break;
                }
                e = m.mountpoint;
                m = m.parent;
                continue;
            }
            if (e.isRoot()) {   // moved out of a bind mount's subtree by a rename: no path leads here
                reached = false;
                break;
            }
            names.add(e.name());
            e = e.parent();
        }
        StringBuilder b = new StringBuilder();
        for (int i = names.size() - 1; i >= 0; i--) b.append('/').append(names.get(i));
        String p = b.isEmpty() ? "/" : b.toString();
        if (!reached) p = "(unreachable)" + p;
        if (entry.removed()) p += " (deleted)";
        return p;
    }

    @Override
    public boolean equals(Object o) { return o instanceof Location l && l.mount == mount && l.entry == entry; }

    @Override
    public int hashCode() { return System.identityHashCode(mount) * 31 + System.identityHashCode(entry); }

    @Override
    public String toString() { return "Location(" + absolutePath() + ")"; }
}
