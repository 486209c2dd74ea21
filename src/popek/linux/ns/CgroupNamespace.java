package popek.linux.ns;

/**
 * A cgroup namespace: the cgroup that looks like the root to its tasks (the cgroup of the task that made it), so
 * /proc/[pid]/cgroup shows paths relative to it. The cgroup hierarchy itself is Popek's cgroup package's.
 */
public final class CgroupNamespace implements Namespace {
    private final long inode;
    private final UserNamespace owner;
    private final String root;

    private CgroupNamespace(long inode, UserNamespace owner, String root) {
        this.inode = inode;
        this.owner = owner;
        this.root = root;
    }

    /** A kernel's first cgroup namespace, rooted at the hierarchy's root. */
    public static CgroupNamespace initial() { return new CgroupNamespace(NsType.CGROUP.initialInode(), UserNamespace.INITIAL, "/"); }

    /** A new one (CLONE_NEWCGROUP) rooted at {@code cgroup} (the creator's cgroup path), owned by {@code owner}. */
    public CgroupNamespace fresh(UserNamespace owner, String cgroup) { return new CgroupNamespace(NsInodes.allocate(), owner, cgroup); }

    /** The cgroup path (from the hierarchy's root) that is "/" here. */
    public String root() { return root; }

    /**
     * {@code cgroup} (a path from the hierarchy's root) as seen from this namespace: relative to its root, with ".."
     * steps when it lies outside, as Linux's cgroup_path_ns writes it.
     */
    public String view(String cgroup) {
        String[] from = split(root), to = split(cgroup);
        int common = 0;
        while (common < from.length && common < to.length && from[common].equals(to[common])) common++;
        StringBuilder b = new StringBuilder();
        for (int i = common; i < from.length; i++) b.append("/..");
        for (int i = common; i < to.length; i++) b.append('/').append(to[i]);
        return b.isEmpty() ? "/" : b.toString();
    }

    private static String[] split(String path) {
        String p = path.replaceAll("^/+|/+$", "");
        return p.isEmpty() ? new String[0] : p.split("/+");
    }

    @Override
    public NsType type() { return NsType.CGROUP; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return owner; }
}
