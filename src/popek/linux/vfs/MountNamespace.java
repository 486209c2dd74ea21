package popek.linux.vfs;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import popek.linux.abi.Errno;
import popek.linux.ns.Namespace;
import popek.linux.ns.NsInodes;
import popek.linux.ns.NsType;
import popek.linux.ns.UserNamespace;

/**
 * A mount table (Linux's mount namespace): the root mount and every mount grafted below it, each at a place in its
 * parent. Path walks cross into a mount where one sits and back out of it at its root on "..", and never rise above
 * the namespace's root: a container given its own namespace can reach nothing outside it.
 */
public final class MountNamespace implements Namespace {
    private record Key(Mount parent, DirEntry point) { }

    private final Mount root;
    private final Map<Key, Mount> mounted = new HashMap<>();
    private final List<Mount> order = new ArrayList<>();
    private final long inode = NsInodes.allocate();
    private final UserNamespace owner;

    /** A namespace whose root is {@code fs}'s root. */
    public MountNamespace(FileSystem fs, int flags) {
        owner = UserNamespace.INITIAL;
        root = new Mount(this, fs, new DirEntry(fs.root()), flags);
        order.add(root);
    }

    private MountNamespace(Mount copyOf, Map<Mount, Mount> map, UserNamespace owner) {
        this.owner = owner;
        root = new Mount(this, copyOf.fs, copyOf.root, copyOf.flags);
        map.put(copyOf, root);
        order.add(root);
    }

    @Override
    public NsType type() { return NsType.MNT; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return owner; }

    public Location root() { return new Location(root, root.root); }

    public Mount rootMount() { return root; }

    /** The mount sitting on {@code point} of {@code parent} (the last one mounted there), or null. */
    public synchronized Mount mountedAt(Mount parent, DirEntry point) {
        if (point.mounts == 0) return null;
        return mounted.get(new Key(parent, point));
    }

    /** Mounts {@code fs}'s subtree at {@code subtree} (its root for a new mount, any entry for a bind) on {@code at}. */
    public synchronized Mount mount(Location at, FileSystem fs, DirEntry subtree, int flags) {
        if (at.mount().namespace != this) throw Errno.error(Errno.EINVAL);
        if (mounted.containsKey(new Key(at.mount(), at.entry()))) throw Errno.error(Errno.EBUSY);
        Mount m = new Mount(this, fs, subtree, flags);
        m.parent = at.mount();
        m.mountpoint = at.entry();
        at.mount().children.add(m);
        mounted.put(new Key(at.mount(), at.entry()), m);
        synchronized (at.entry()) {
            at.entry().mounts++;
        }
        order.add(m);
        return m;
    }

    /** Takes {@code m} away (umount2): EINVAL for the root, EBUSY while others are mounted inside it unless {@code detach}. */
    public synchronized void unmount(Mount m, boolean detach) {
        if (m == root || m.namespace != this || !order.contains(m)) throw Errno.error(Errno.EINVAL);
        if (!m.children.isEmpty()) {
            if (!detach) throw Errno.error(Errno.EBUSY);
            for (Mount c : List.copyOf(m.children)) unmount(c, true);
        }
        mounted.remove(new Key(m.parent, m.mountpoint));
        m.parent.children.remove(m);
        synchronized (m.mountpoint) {
            m.mountpoint.mounts--;
        }
        order.remove(m);
    }

    /** Changes a mount's kept flags (MS_REMOUNT, MS_BIND|MS_REMOUNT). */
    public synchronized void setFlags(Mount m, int flags) { m.flags = flags & Mount.KEPT; }

    /** Every mount, parents before children, in the order mounted (/proc/mounts). */
    public synchronized List<Mount> mounts() { return List.copyOf(order); }

    /**
     * A copy of this table (CLONE_NEWNS, unshare): the same file systems mounted at the same places, so changes to
     * either table are its own (private propagation, as Docker's and unshare(1)'s). {@code translate} maps a place in
     * this namespace to the same place in the copy, which {@code owner} owns.
     */
    public synchronized Copy copy(UserNamespace owner) {
        Map<Mount, Mount> map = new IdentityHashMap<>();
        MountNamespace ns = new MountNamespace(root, map, owner);
        for (Mount m : order) {
            if (m == root) continue;
            Mount parent = map.get(m.parent);
            Mount c = ns.mount(new Location(parent, m.mountpoint), m.fs, m.root, m.flags);
            map.put(m, c);
        }
        return new Copy(ns, map);
    }

    /** A copied namespace and how places map into it. */
    public record Copy(MountNamespace namespace, Map<Mount, Mount> mounts) {
        public Location translate(Location l) {
            Mount m = mounts.get(l.mount());
            return m == null ? namespace.root() : new Location(m, l.entry());
        }
    }
}
