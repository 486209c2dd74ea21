package popek.linux.auth;

import java.util.Arrays;

/**
 * A task's identity for permission checks (include/linux/cred.h): real, effective, saved and file-system user and
 * group ids and the supplementary groups. Immutable: the set*id calls make a new one, and tasks share it until then.
 */
public record Credentials(int uid, int euid, int suid, int fsuid, int gid, int egid, int sgid, int fsgid, int[] groups) {
    public static final Credentials ROOT = of(0, 0);

    public Credentials {
        groups = groups.clone();
    }

    /** Every id {@code uid}, every group id {@code gid}, no supplementary groups. */
    public static Credentials of(int uid, int gid) { return new Credentials(uid, uid, uid, uid, gid, gid, gid, gid, new int[0]); }

    /** True for the superuser (effective uid 0): Popek has no finer capabilities yet. */
    public boolean privileged() { return euid == 0; }

    /** True when {@code g} is the effective group or a supplementary one (for file permission checks). */
    public boolean inGroup(int g) {
        if (g == fsgid) return true;
        for (int x : groups) if (x == g) return true;
        return false;
    }

    public Credentials withUids(int r, int e, int s) { return new Credentials(r, e, s, e, gid, egid, sgid, fsgid, groups); }

    public Credentials withGids(int r, int e, int s) { return new Credentials(uid, euid, suid, fsuid, r, e, s, e, groups); }

    public Credentials withFsuid(int f) { return new Credentials(uid, euid, suid, f, gid, egid, sgid, fsgid, groups); }

    public Credentials withFsgid(int f) { return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, f, groups); }

    public Credentials withGroups(int[] g) { return new Credentials(uid, euid, suid, fsuid, gid, egid, sgid, fsgid, g); }

    @Override
    public int[] groups() { return groups.clone(); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Credentials c && uid == c.uid && euid == c.euid && suid == c.suid && fsuid == c.fsuid && gid == c.gid
                && egid == c.egid && sgid == c.sgid && fsgid == c.fsgid && Arrays.equals(groups, c.groups);
    }

    @Override
    public int hashCode() { return Arrays.hashCode(new int[] {uid, euid, gid, egid}) * 31 + Arrays.hashCode(groups); }
}
