package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.auth.Credentials;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;
import popek.linux.ns.UserNamespace;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * User and group ids: the get*id and set*id calls (the 16-bit originals and the 32-bit ones), supplementary groups,
 * fsuid/fsgid, with Linux's permission rules (an unprivileged process may only swap among its own ids; CAP_SETUID
 * and CAP_SETGID are held in the caller's own user namespace). Ids cross the boundary translated: the caller's user
 * namespace names them, credentials hold kernel ids; one with no name there is EINVAL going in, 65534 coming out.
 */
final class IdentityCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        for (int nr : new int[] {GETUID, GETUID32}) t.register(nr, (task, a) -> narrow(nr == GETUID, ns(task).uidSeen(task.credentials().uid())));
        for (int nr : new int[] {GETEUID, GETEUID32}) t.register(nr, (task, a) -> narrow(nr == GETEUID, ns(task).uidSeen(task.credentials().euid())));
        for (int nr : new int[] {GETGID, GETGID32}) t.register(nr, (task, a) -> narrow(nr == GETGID, ns(task).gidSeen(task.credentials().gid())));
        for (int nr : new int[] {GETEGID, GETEGID32}) t.register(nr, (task, a) -> narrow(nr == GETEGID, ns(task).gidSeen(task.credentials().egid())));
        t.register(SETUID, (task, a) -> setuid(task, wide(a.a0)));
        t.register(SETUID32, (task, a) -> setuid(task, a.a0));
        t.register(SETGID, (task, a) -> setgid(task, wide(a.a0)));
        t.register(SETGID32, (task, a) -> setgid(task, a.a0));
        t.register(SETREUID, (task, a) -> setresuid(task, wide(a.a0), wide(a.a1), -1, true));
        t.register(SETREUID32, (task, a) -> setresuid(task, a.a0, a.a1, -1, true));
        t.register(SETREGID, (task, a) -> setresgid(task, wide(a.a0), wide(a.a1), -1, true));
        t.register(SETREGID32, (task, a) -> setresgid(task, a.a0, a.a1, -1, true));
        t.register(SETRESUID, (task, a) -> setresuid(task, wide(a.a0), wide(a.a1), wide(a.a2), false));
        t.register(SETRESUID32, (task, a) -> setresuid(task, a.a0, a.a1, a.a2, false));
        t.register(SETRESGID, (task, a) -> setresgid(task, wide(a.a0), wide(a.a1), wide(a.a2), false));
        t.register(SETRESGID32, (task, a) -> setresgid(task, a.a0, a.a1, a.a2, false));
        t.register(GETRESUID, (task, a) -> getres(task, a, false, true));
        t.register(GETRESUID32, (task, a) -> getres(task, a, false, false));
        t.register(GETRESGID, (task, a) -> getres(task, a, true, true));
        t.register(GETRESGID32, (task, a) -> getres(task, a, true, false));
        t.register(GETGROUPS, (task, a) -> getgroups(task, a.a0, u(a.a1), true));
        t.register(GETGROUPS32, (task, a) -> getgroups(task, a.a0, u(a.a1), false));
        t.register(SETGROUPS, (task, a) -> setgroups(task, a.a0, u(a.a1), true));
        t.register(SETGROUPS32, (task, a) -> setgroups(task, a.a0, u(a.a1), false));
        t.register(SETFSUID, (task, a) -> setfsuid(task, wide(a.a0)));
        t.register(SETFSUID32, (task, a) -> setfsuid(task, a.a0));
        t.register(SETFSGID, (task, a) -> setfsgid(task, wide(a.a0)));
        t.register(SETFSGID32, (task, a) -> setfsgid(task, a.a0));
    }

    private static UserNamespace ns(Task t) { return t.credentials().userNs(); }

    /** CAP_SETUID and CAP_SETGID: capable in its own user namespace. */
    private static boolean mayChange(Credentials c) { return c.capable(c.userNs()); }

    /** The 16-bit calls report ids above 65535 as the overflow id 65534. */
    private static int narrow(boolean sixteen, int id) { return sixteen && (id & 0xFFFFFFFFL) > 0xFFFF ? 65534 : id; }

    /** A 16-bit id argument: (u16)-1 means "unchanged", like -1 for the 32-bit calls. */
    private static int wide(int id) { return (id & 0xFFFF) == 0xFFFF ? -1 : id & 0xFFFF; }

    /** Sentinel for an id the caller's namespace does not map. */
    private static final int INVALID = Integer.MIN_VALUE;

    /** An id argument as a kernel id: -1 stays "unchanged", an unmapped one is {@link #INVALID}. */
    private static int kuid(Task t, int id) {
        if (id == -1) return -1;
        int k = ns(t).uidToKernel(id);
        return k == -1 ? INVALID : k;
    }

    private static int kgid(Task t, int id) {
        if (id == -1) return -1;
        int k = ns(t).gidToKernel(id);
        return k == -1 ? INVALID : k;
    }

    private int setuid(Task t, int id) {
        int uid = kuid(t, id);
        if (uid == INVALID || uid == -1) return -Errno.EINVAL;
        Credentials c = t.credentials();
        if (mayChange(c)) t.setCredentials(c.withUids(uid, uid, uid));
        else if (uid == c.uid() || uid == c.suid()) t.setCredentials(c.withUids(c.uid(), uid, c.suid()));
        else return -Errno.EPERM;
        return 0;
    }

    private int setgid(Task t, int id) {
        int gid = kgid(t, id);
        if (gid == INVALID || gid == -1) return -Errno.EINVAL;
        Credentials c = t.credentials();
        if (mayChange(c)) t.setCredentials(c.withGids(gid, gid, gid));
        else if (gid == c.gid() || gid == c.sgid()) t.setCredentials(c.withGids(c.gid(), gid, c.sgid()));
        else return -Errno.EPERM;
        return 0;
    }

    private static boolean allowed(Credentials c, int id, int r, int e, int s) {
        return id == -1 || mayChange(c) || id == r || id == e || id == s;
    }

    /** setresuid, and setreuid ({@code re}: the saved id follows Linux's setreuid rule). */
    private int setresuid(Task t, int ru, int eu, int su, boolean re) {
        int r = kuid(t, ru), e = kuid(t, eu), s = kuid(t, su);
        if (r == INVALID || e == INVALID || s == INVALID) return -Errno.EINVAL;
        Credentials c = t.credentials();
        if (!allowed(c, r, c.uid(), c.euid(), c.suid()) || !allowed(c, e, c.uid(), c.euid(), c.suid())
                || !allowed(c, s, c.uid(), c.euid(), c.suid())) return -Errno.EPERM;
        int nr = r == -1 ? c.uid() : r, ne = e == -1 ? c.euid() : e;
        int ns = re ? (r != -1 || (e != -1 && e != c.uid()) ? ne : c.suid()) : s == -1 ? c.suid() : s;
        t.setCredentials(c.withUids(nr, ne, ns));
        return 0;
    }

    private int setresgid(Task t, int rg, int eg, int sg, boolean re) {
        int r = kgid(t, rg), e = kgid(t, eg), s = kgid(t, sg);
        if (r == INVALID || e == INVALID || s == INVALID) return -Errno.EINVAL;
        Credentials c = t.credentials();
        if (!allowed(c, r, c.gid(), c.egid(), c.sgid()) || !allowed(c, e, c.gid(), c.egid(), c.sgid())
                || !allowed(c, s, c.gid(), c.egid(), c.sgid())) return -Errno.EPERM;
        int nr = r == -1 ? c.gid() : r, ne = e == -1 ? c.egid() : e;
        int ns = re ? (r != -1 || (e != -1 && e != c.gid()) ? ne : c.sgid()) : s == -1 ? c.sgid() : s;
        t.setCredentials(c.withGids(nr, ne, ns));
        return 0;
    }

    private int getres(Task t, SyscallArgs a, boolean group, boolean sixteen) {
        Credentials c = t.credentials();
        UserNamespace ns = c.userNs();
        int[] v = group ? new int[] {ns.gidSeen(c.gid()), ns.gidSeen(c.egid()), ns.gidSeen(c.sgid())}
                : new int[] {ns.uidSeen(c.uid()), ns.uidSeen(c.euid()), ns.uidSeen(c.suid())};
        UserMemory m = t.memory();
        int[] at = {a.a0, a.a1, a.a2};
        for (int i = 0; i < 3; i++) {
            if (sixteen) m.writeShort(u(at[i]), (short) narrow(true, v[i]));
            else m.writeInt(u(at[i]), v[i]);
        }
        return 0;
    }

    private int getgroups(Task t, int size, long list, boolean sixteen) {
        int[] g = t.credentials().groups();
        if (size < 0) return -Errno.EINVAL;
        if (size == 0) return g.length;
        if (size < g.length) return -Errno.EINVAL;
        UserNamespace ns = ns(t);
        for (int i = 0; i < g.length; i++) {
            int id = ns.gidSeen(g[i]);
            if (sixteen) t.memory().writeShort(list + 2L * i, (short) narrow(true, id));
            else t.memory().writeInt(list + 4L * i, id);
        }
        return g.length;
    }

    /** setgroups: CAP_SETGID in its user namespace, where setgroups must be allowed (user_namespaces(7)). */
    private int setgroups(Task t, int size, long list, boolean sixteen) {
        Credentials c = t.credentials();
        if (!mayChange(c) || !c.userNs().maySetgroups()) return -Errno.EPERM;
        if (size < 0 || size > 65536) return -Errno.EINVAL;
        int[] g = new int[size];
        for (int i = 0; i < size; i++) {
            int id = sixteen ? t.memory().readShort(list + 2L * i) & 0xFFFF : t.memory().readInt(list + 4L * i);
            g[i] = c.userNs().gidToKernel(id);
            if (g[i] == -1) return -Errno.EINVAL;
        }
        t.setCredentials(c.withGroups(g));
        return 0;
    }

    /** setfsuid: returns the old one (as the caller's namespace names it); an unmapped or unallowed id changes nothing. */
    private int setfsuid(Task t, int id) {
        Credentials c = t.credentials();
        int old = ns(t).uidSeen(c.fsuid());
        int k = kuid(t, id);
        if (k != INVALID && k != -1 && (mayChange(c) || k == c.uid() || k == c.euid() || k == c.suid() || k == c.fsuid())) {
            t.setCredentials(c.withFsuid(k));
        }
        return old;
    }

    private int setfsgid(Task t, int id) {
        Credentials c = t.credentials();
        int old = ns(t).gidSeen(c.fsgid());
        int k = kgid(t, id);
        if (k != INVALID && k != -1 && (mayChange(c) || k == c.gid() || k == c.egid() || k == c.sgid() || k == c.fsgid())) {
            t.setCredentials(c.withFsgid(k));
        }
        return old;
    }
}
