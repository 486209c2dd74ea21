package popek.linux.ns;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import popek.linux.abi.Errno;

/**
 * A user namespace (Linux's user_namespace): its parent, the creator's effective ids (its owner, which holds every
 * capability in it from the parent), and its uid and gid maps to kernel ids, which start empty and are written once
 * through /proc/[pid]/uid_map and gid_map under map_write's rules; and whether setgroups(2) may be used in it. The
 * initial namespace maps every id to itself. Credentials hold kernel ids; system calls translate at the boundary.
 */
public final class UserNamespace implements Namespace {
    /** Linux's limit on nesting (32 levels below the initial namespace). */
    public static final int MAX_LEVEL = 32;
    /** The id an unmapped one shows as (overflowuid, overflowgid). */
    public static final int OVERFLOW_ID = 65534;

    private final UserNamespace parent;
    private final int level;
    private final long inode;
    private final int ownerUid, ownerGid;
    private final boolean parentCouldSetfcap;
    private volatile IdMap uids, gids;
    private volatile boolean setgroupsAllowed;

    private UserNamespace(UserNamespace parent, int ownerUid, int ownerGid, boolean couldSetfcap, long inode) {
        this.parent = parent;
        this.level = parent == null ? 0 : parent.level + 1;
        this.inode = inode;
        this.ownerUid = ownerUid;
        this.ownerGid = ownerGid;
        this.parentCouldSetfcap = couldSetfcap;
        this.setgroupsAllowed = parent == null || parent.setgroupsAllowed;
        if (parent == null) {
            uids = IdMap.IDENTITY;
            gids = IdMap.IDENTITY;
        }
    }

    /**
     * The initial user namespace, every id mapped to itself: one for every kernel, as it holds nothing a kernel could
     * change (its maps are fixed and setgroups is always allowed in it).
     */
    public static final UserNamespace INITIAL = new UserNamespace(null, 0, 0, true, NsType.USER.initialInode());

    /**
     * A child made by a task with effective ids {@code euid}, {@code egid} (kernel ids), {@code capable}: whether it
     * had CAP_SETFCAP here (then the child may map uid 0 of this namespace). ENOSPC past 32 levels.
     */
    public UserNamespace child(int euid, int egid, boolean capable) {
        if (level + 1 > MAX_LEVEL) throw Errno.error(Errno.ENOSPC);
        return new UserNamespace(this, euid, egid, capable, NsInodes.allocate());
    }

    @Override
    public NsType type() { return NsType.USER; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return parent; }

    public UserNamespace parent() { return parent; }

    public int level() { return level; }

    public boolean isInitial() { return parent == null; }

    /** The creator's effective uid (a kernel id): it holds every capability here from the parent namespace. */
    public int ownerUid() { return ownerUid; }

    public int ownerGid() { return ownerGid; }

    // ---------------------------------------------------------------- translating ids

    /** The kernel uid of {@code uid} of this namespace, or -1 (unmapped, or no map yet). */
    public int uidToKernel(int uid) {
        IdMap m = uids;
        return m == null ? -1 : m.down(uid);
    }

    public int gidToKernel(int gid) {
        IdMap m = gids;
        return m == null ? -1 : m.down(gid);
    }

    /** Kernel uid {@code kuid} as this namespace names it, or -1 if it has no name here. */
    public int uidFromKernel(int kuid) {
        IdMap m = uids;
        return m == null ? -1 : m.up(kuid);
    }

    public int gidFromKernel(int kgid) {
        IdMap m = gids;
        return m == null ? -1 : m.up(kgid);
    }

    /** As getuid and stat report kernel uid {@code kuid}: its id here, or the overflow id 65534. */
    public int uidSeen(int kuid) {
        int u = uidFromKernel(kuid);
        return u == -1 ? OVERFLOW_ID : u;
    }

    public int gidSeen(int kgid) {
        int g = gidFromKernel(kgid);
        return g == -1 ? OVERFLOW_ID : g;
    }

    /** The kernel uid of this namespace's root (uid 0), or -1 while it has none. */
    public int rootKuid() { return uidToKernel(0); }

    /** True when a file owned by kernel ids {@code kuid}, {@code kgid} is named in this namespace (privileged_wrt_inode_uidgid). */
    public boolean names(int kuid, int kgid) { return parent == null || (uidFromKernel(kuid) != -1 && gidFromKernel(kgid) != -1); }

    /** setgroups(2) may be used here: its gid map is written and "deny" was not written to /proc/[pid]/setgroups. */
    public boolean maySetgroups() { return gids != null && setgroupsAllowed; }

    // ---------------------------------------------------------------- /proc/[pid]/uid_map, gid_map, setgroups

    /** uid_map (or gid_map) as a reader in {@code reader} sees it: lower ids in the reader's namespace, or its parent if it is this one. */
    public String showMap(boolean groups, UserNamespace reader) {
        IdMap m = groups ? gids : uids;
        if (m == null) return "";
        UserNamespace lowerNs = reader == this && parent != null ? parent : reader;
        StringBuilder b = new StringBuilder();
        for (IdMap.Extent e : m.extents()) {
            long lower = groups ? lowerNs.gidFromKernel((int) e.lower()) : lowerNs.uidFromKernel((int) e.lower());
            b.append(String.format("%10d %10d %10d%n", e.first(), lower & 0xFFFFFFFFL, e.count()));
        }
        return b.toString();
    }

    /**
     * Writes uid_map or gid_map ({@code text}, its final newline dropped) for a writer in {@code writerNs} with
     * effective kernel ids {@code euid}, {@code egid}; {@code capable} tells whether the writer holds capabilities in a
     * namespace. The rules of Linux's map_write: EPERM if written before, without CAP_SYS_ADMIN here, from a namespace
     * other than this one or its parent, or for ids the writer may not map; EINVAL for malformed lines.
     */
    public synchronized void writeMap(boolean groups, String text, UserNamespace writerNs, int euid, int egid,
                                      Predicate<UserNamespace> capable) {
        if (parent == null) throw Errno.error(Errno.EPERM);
        if (writerNs != this && writerNs != parent) throw Errno.error(Errno.EPERM);
        if ((groups ? gids : uids) != null) throw Errno.error(Errno.EPERM);
        if (!capable.test(this)) throw Errno.error(Errno.EPERM);
        List<IdMap.Extent> parsed = IdMap.parse(text);
        if (!permitted(groups, parsed, writerNs, euid, egid, capable)) throw Errno.error(Errno.EPERM);
        IdMap parentMap = groups ? parent.gids : parent.uids;
        List<IdMap.Extent> kernel = new ArrayList<>();
        for (IdMap.Extent e : parsed) {
            long lower = parentMap == null ? -1 : parentMap.downRange(e.lower(), e.count());
            if (lower < 0) throw Errno.error(Errno.EPERM);
            kernel.add(new IdMap.Extent(e.first(), lower, e.count()));
        }
        if (groups) gids = IdMap.of(kernel);
        else uids = IdMap.of(kernel);
    }

    /** new_idmap_permitted and verify_root_map: may this writer install {@code map}? */
    private boolean permitted(boolean groups, List<IdMap.Extent> map, UserNamespace writerNs, int euid, int egid,
                              Predicate<UserNamespace> capable) {
        if (!groups) {   // a range starting at the parent's uid 0 needs CAP_SETFCAP there (Linux 5.12)
            boolean mapsParentRoot = false;
            for (IdMap.Extent e : map) mapsParentRoot |= e.lower() == 0;
            if (mapsParentRoot && !(writerNs == this ? parentCouldSetfcap : capable.test(parent))) return false;
        }
        if (map.size() == 1 && map.getFirst().count() == 1 && ownerUid == euid) {
            long id = map.getFirst().lower();
            if (!groups && parent.uidToKernel((int) id) == euid) return true;
            if (groups && !setgroupsAllowed && parent.gidToKernel((int) id) == egid) return true;
        }
        return capable.test(parent);
    }

    /** True when {@code ns} is this namespace or lies below it. */
    public boolean isAncestorOrSelfOf(UserNamespace ns) {
        for (UserNamespace n = ns; n != null; n = n.parent) if (n == this) return true;
        return false;
    }

    /** /proc/[pid]/setgroups: "allow" or "deny". */
    public String showSetgroups() { return setgroupsAllowed ? "allow\n" : "deny\n"; }

    /**
     * Writing /proc/[pid]/setgroups (the text without its newline): "deny" only before the gid map is written,
     * "allow" never after a "deny" (EPERM); anything else EINVAL; CAP_SYS_ADMIN here needed ({@code capable}).
     */
    public synchronized void writeSetgroups(String text, boolean capable) {
        String v = text.strip();
        boolean allow;
        if (v.equals("allow")) allow = true;
        else if (v.equals("deny")) allow = false;
        else throw Errno.error(Errno.EINVAL);
        if (!capable || parent == null) throw Errno.error(Errno.EPERM);
        if (allow) {
            if (!setgroupsAllowed) throw Errno.error(Errno.EPERM);
        } else {
            if (gids != null) throw Errno.error(Errno.EPERM);
            setgroupsAllowed = false;
        }
    }

    @Override
    public String toString() { return linkText(); }
}
