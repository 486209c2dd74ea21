package popek.linux.auth;

import java.util.Arrays;

import popek.linux.ns.UserNamespace;

/**
 * A task's identity for permission checks (include/linux/cred.h): real, effective, saved and file-system user and
 * group ids and the supplementary groups, all kernel ids (the initial user namespace's); the user namespace they are
 * seen from; and the capabilities held there, all of them or none (Popek has no capset or file capabilities, so the
 * sets are the whole set or empty: permitted, and effective). Immutable: the set*id calls make a new one, and tasks
 * share it until then.
 */
public record Credentials(int uid, int euid, int suid, int fsuid, int gid, int egid, int sgid, int fsgid, int[] groups,
                          UserNamespace userNs, boolean capPermitted, boolean capEffective) {
    public static final Credentials ROOT = of(0, 0);

    public Credentials {
        groups = groups.clone();
    }

    /** Every id {@code uid}, every group id {@code gid}, no supplementary groups, in the initial user namespace; root has every capability. */
    public static Credentials of(int uid, int gid) {
        return new Credentials(uid, uid, uid, uid, gid, gid, gid, gid, new int[0], UserNamespace.INITIAL, uid == 0, uid == 0);
    }

    /** True when capable in the initial user namespace (Linux's capable(): the superuser of the whole container). */
    public boolean privileged() { return capable(UserNamespace.INITIAL); }

    /**
     * True when these credentials hold the capabilities in {@code target} (Linux's cap_capable): in their own
     * namespace if effective; in one below it made by their effective uid, always; nowhere above.
     */
    public boolean capable(UserNamespace target) {
        for (UserNamespace ns = target; ns != null; ns = ns.parent()) {
            if (ns == userNs) return capEffective;
            if (ns.level() <= userNs.level()) return false;
            if (ns.parent() == userNs && ns.ownerUid() == euid) return true;
        }
        return false;
    }

    /**
     * True when the file-system ids override a file's permission bits (CAP_DAC_OVERRIDE and the like, as Linux's
     * capable_wrt_inode_uidgid): the file-system uid is the namespace's root with capabilities to use, and the file's
     * owner and group are named in the namespace.
     */
    public boolean overridesFiles(int inodeUid, int inodeGid) {
        if (!capPermitted) return false;
        if (userNs.isInitial()) return fsuid == 0;
        return fsuid == userNs.rootKuid() && userNs.names(inodeUid, inodeGid);
    }

    /** True when {@code g} is the effective group or a supplementary one (for file permission checks). */
    public boolean inGroup(int g) {
        if (g == fsgid) return true;
        for (int x : groups) if (x == g) return true;
        return false;
    }

    /**
     * New user ids, the capabilities following as Linux's cap_task_fix_setuid has them: all are lost when no id is
     * the namespace's root any more, the effective ones when the effective uid stops being root, and come back
     * (from the permitted ones) when it becomes root again. The file-system uid follows the effective one.
     */
    public Credentials withUids(int r, int e, int s) {
        int root = userNs.rootKuid();
        boolean permitted = capPermitted, effective = capEffective;
        if ((uid == root || euid == root || suid == root) && r != root && e != root && s != root) {
            permitted = false;
            effective = false;
        }
        if (euid == root && e != root) effective = false;
        if (euid != root && e == root) effective = permitted;
        return new Credentials(r, e, s, e, gid, egid, sgid, fsgid, groups, userNs, permitted, effective);
    }

    public Credentials withGids(int r, int e, int s) {
        return new Credentials(uid, euid, suid, fsuid, r, e, s, e, groups, userNs, capPermitted, capEffective);
    }

    public Credentials withFsuid(int f) { return new Credentials(uid, euid, suid, f, gid, egid, sgid, fsgid, groups, userNs, capPermitted, capEffective); }

    public Credentials withFsgid(int f) { return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, f, groups, userNs, capPermitted, capEffective); }

    public Credentials withGroups(int[] g) { return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, g, userNs, capPermitted, capEffective); }

    /** access(2)'s: the real ids as file-system ids (the capabilities as the real uid's, as Linux's do_faccessat). */
    public Credentials realForAccess() {
        boolean root = uid == userNs.rootKuid();
        return new Credentials(uid, euid, suid, uid, gid, egid, sgid, gid, groups, userNs, capPermitted && root, capPermitted && root);
    }

    /** After execve: root (by the real or effective uid) gets every capability, effective if the effective uid is root; others none. */
    public Credentials afterExec() {
        int root = userNs.rootKuid();
        boolean isRoot = euid == root || uid == root;
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups, userNs, isRoot, isRoot && euid == root);
    }

    /** In user namespace {@code ns} with every capability there (a new one it made, or one it entered with setns). */
    public Credentials in(UserNamespace ns) {
        return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, groups, ns, true, true);
    }

    @Override
    public int[] groups() { return groups.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credentials c && uid == c.uid && euid == c.euid && suid == c.suid && fsuid == c.fsuid && gid == c.gid
                && egid == c.egid && sgid == c.sgid && fsgid == c.fsgid && Arrays.equals(groups, c.groups) && userNs == c.userNs
                && capPermitted == c.capPermitted && capEffective == c.capEffective;
    }

    @Override
    public int hashCode() { return Arrays.hashCode(new int[] {uid, euid, gid, egid}) * 31 + Arrays.hashCode(groups); }
}
