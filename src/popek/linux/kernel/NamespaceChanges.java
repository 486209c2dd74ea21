package popek.linux.kernel;

import popek.linux.abi.Errno;
import popek.linux.abi.SyscallException;
import popek.linux.auth.Credentials;
import popek.linux.ns.Namespace;
import popek.linux.ns.NsType;
import popek.linux.ns.TimeNamespace;
import popek.linux.ns.UserNamespace;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.Location;
import popek.linux.vfs.MountNamespace;
import popek.linux.vfs.PathWalker;

/**
 * Making and entering namespaces as Linux's kernel/nsproxy.c and the namespaces' own files do: what the CLONE_NEW*
 * flags of clone(2) and unshare(2) make, and setns(2) into a namespace an nsfs file names, with Linux's checks (a new
 * namespace other than a user one needs CAP_SYS_ADMIN in the user namespace that will own it; entering one needs it
 * both there and in one's own) and errors.
 */
public final class NamespaceChanges {
    public static final int CLONE_NEWTIME = 0x80, CLONE_NEWNS = 0x20000, CLONE_NEWCGROUP = 0x02000000,
            CLONE_NEWUTS = 0x04000000, CLONE_NEWIPC = 0x08000000, CLONE_NEWUSER = 0x10000000, CLONE_NEWPID = 0x20000000,
            CLONE_NEWNET = 0x40000000;
    /** The flags that make a namespace other than a user one. */
    static final int NEW_NOT_USER = NsType.ALL_FLAGS & ~CLONE_NEWUSER;
    /** What unshare accepts (check_unshare_flags). */
    private static final int UNSHARE_FLAGS = Processes.CLONE_THREAD | Processes.CLONE_FS | Processes.CLONE_SIGHAND
            | Processes.CLONE_VM | Processes.CLONE_FILES | Processes.CLONE_SYSVSEM | NsType.ALL_FLAGS;

    private NamespaceChanges() { }

    // ---------------------------------------------------------------- what clone and unshare make

    /** The combinations of clone flags Linux refuses with EINVAL (copy_process's namespace checks). */
    static int checkClone(Task parent, int flags) {
        if ((flags & (CLONE_NEWNS | Processes.CLONE_FS)) == (CLONE_NEWNS | Processes.CLONE_FS)) return -Errno.EINVAL;
        if ((flags & (CLONE_NEWUSER | Processes.CLONE_FS)) == (CLONE_NEWUSER | Processes.CLONE_FS)) return -Errno.EINVAL;
        if ((flags & Processes.CLONE_PARENT) != 0 && parent.group.unkillable) return -Errno.EINVAL;
        if ((flags & Processes.CLONE_THREAD) != 0
                && ((flags & (CLONE_NEWUSER | CLONE_NEWPID)) != 0 || parent.ns.pidForChildren() != parent.pidNamespace())) {
            return -Errno.EINVAL;
        }
        if ((flags & (CLONE_NEWIPC | Processes.CLONE_SYSVSEM)) == (CLONE_NEWIPC | Processes.CLONE_SYSVSEM)) return -Errno.EINVAL;
        return 0;
    }

    /**
     * Credentials in a new user namespace below {@code c}'s, with every capability there (create_user_ns): EPERM from
     * a chroot or when the effective ids have no name in the current namespace, ENOSPC past 32 levels.
     */
    static Credentials newUserNamespace(Task t, Credentials c) {
        if (chrooted(t.fs)) throw Errno.error(Errno.EPERM);
        UserNamespace current = c.userNs();
        if (current.uidFromKernel(c.euid()) == -1 || current.gidFromKernel(c.egid()) == -1) throw Errno.error(Errno.EPERM);
        return c.in(current.child(c.euid(), c.egid(), c.capable(current)));
    }

    /** True when {@code fs}'s root is not its mount namespace's root. */
    private static boolean chrooted(FsContext fs) {
        Location root = (Location) fs.root();
        return !root.equals(PathWalker.crossMounts(root.mount().namespace().root()));
    }

    /**
     * The namespaces {@code flags} asks for (create_new_namespaces), for task {@code t} whose credentials will be
     * {@code c} and file-system context {@code fs} (moved into a new mount namespace's copy of where it was):
     * {@code from} itself when none is asked for. EPERM without CAP_SYS_ADMIN in {@code c}'s user namespace, EINVAL
     * for a new pid namespace while the one for children is already not the task's own, ENOSPC past 32 levels.
     */
    static Namespaces create(Task t, Namespaces from, int flags, Credentials c, FsContext fs) {
        if ((flags & NEW_NOT_USER) == 0) return from;
        UserNamespace owner = c.userNs();
        if (!c.capable(owner)) throw Errno.error(Errno.EPERM);
        if ((flags & CLONE_NEWPID) != 0 && from.pidForChildren() != t.pidNamespace()) throw Errno.error(Errno.EINVAL);
        Namespaces n = from;
        if ((flags & CLONE_NEWPID) != 0) n = n.with(from.pidForChildren().child(owner), true);
        if ((flags & CLONE_NEWUTS) != 0) n = n.with(from.uts().copy(owner), false);
        if ((flags & CLONE_NEWIPC) != 0) n = n.with(from.ipc().fresh(owner), false);
        if ((flags & CLONE_NEWNET) != 0) n = n.with(from.net().fresh(owner), false);
        if ((flags & CLONE_NEWCGROUP) != 0) n = n.with(from.cgroup().fresh(owner, cgroupPath(t)), false);
        if ((flags & CLONE_NEWTIME) != 0) n = n.with(from.timeForChildren().copy(owner), true);
        if ((flags & CLONE_NEWNS) != 0) {
            MountNamespace.Copy copy = from.mnt().copy(owner);
            fs.setRoot(copy.translate((Location) fs.root()));
            fs.setCwd(copy.translate((Location) fs.cwd()));
            n = n.with(copy.namespace(), false);
        }
        return n;
    }

    /**
     * The cgroup of {@code t} as a path from its kernel's cgroup (the container's, the root its cgroup namespaces and
     * /sys/fs/cgroup show as "/"): where a cgroup namespace it makes is rooted, and what /proc/[pid]/cgroup shows of it.
     */
    public static String cgroupPath(Task t) { return t.group.cgroup.pathFrom(t.kernel.cgroup()); }

    /** A forked child goes into the time namespace its parent made for children, which is then fixed (timens_on_fork). */
    static Namespaces enterTimeForChildren(Namespaces n) {
        if (n.time() == n.timeForChildren()) return n;
        n.timeForChildren().enter();
        return n.with(n.timeForChildren(), false);
    }

    // ---------------------------------------------------------------- unshare

    /** unshare(2) for the running task {@code t}: 0 or -errno. */
    public static int unshare(Task t, int flags) {
        if ((flags & CLONE_NEWUSER) != 0) flags |= Processes.CLONE_THREAD | Processes.CLONE_FS;
        if ((flags & Processes.CLONE_VM) != 0) flags |= Processes.CLONE_SIGHAND;
        if ((flags & Processes.CLONE_SIGHAND) != 0) flags |= Processes.CLONE_THREAD;
        if ((flags & CLONE_NEWNS) != 0) flags |= Processes.CLONE_FS;
        if ((flags & ~UNSHARE_FLAGS) != 0) return -Errno.EINVAL;
        if ((flags & (Processes.CLONE_THREAD | Processes.CLONE_SIGHAND | Processes.CLONE_VM)) != 0 && t.group.tasks.size() > 1) {
            return -Errno.EINVAL;
        }
        if ((flags & Processes.CLONE_VM) != 0 && t.mm.users() > 1) return -Errno.EINVAL;
        FsContext fs = (flags & Processes.CLONE_FS) != 0 && t.fs.shared() ? t.fs.copy() : t.fs;
        FdTable fds = (flags & Processes.CLONE_FILES) != 0 && t.fds.shared() ? t.fds.copy() : t.fds;
        Credentials c = t.creds;
        Namespaces n;
        try {
            if ((flags & CLONE_NEWUSER) != 0) c = newUserNamespace(t, c);
            n = create(t, t.ns, flags, c, fs);
        } catch (SyscallException e) {
            if (fds != t.fds) fds.closeAll();
            return -e.errno();
        }
        if (fs != t.fs) {
            t.fs.release();
            t.fs = fs;
        }
        if (fds != t.fds) {
            t.kernel.releaseFds(t.fds);
            t.fds = fds;
        }
        t.creds = c;
        t.ns = n;
        return 0;
    }

    // ---------------------------------------------------------------- setns

    /** setns(2) of the running task {@code t} into {@code target} ({@code nstype} 0 or the CLONE_NEW* flag it must be): 0 or -errno. */
    public static int setns(Task t, Namespace target, int nstype) {
        if (nstype != 0 && target.type().flag() != nstype) return -Errno.EINVAL;
        Credentials c = t.creds;
        if (target.type() == NsType.USER) {
            UserNamespace u = (UserNamespace) target;
            if (u == c.userNs() || t.group.tasks.size() > 1 || t.fs.shared()) return -Errno.EINVAL;
            if (!c.capable(u)) return -Errno.EPERM;
            t.creds = c.in(u);
            return 0;
        }
        if (!c.capable(target.owner()) || !c.capable(c.userNs())) return -Errno.EPERM;
        switch (target.type()) {
            case MNT -> {
                if (t.fs.shared()) return -Errno.EINVAL;
                Location root = PathWalker.crossMounts(((MountNamespace) target).root());
                t.fs.setRoot(root);
                t.fs.setCwd(root);
            }
            case PID -> {
                if (!t.pidNamespace().isAncestorOrSelfOf((PidNamespace) target)) return -Errno.EINVAL;
                t.ns = t.ns.with(target, true);
                return 0;
            }
            case TIME -> {
                if (t.group.tasks.size() > 1 || t.mm.users() > 1) return -Errno.EUSERS;
                ((TimeNamespace) target).enter();
            }
            default -> { }
        }
        t.ns = t.ns.with(target, false);
        return 0;
    }
}
