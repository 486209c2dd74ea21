package popek.linux.kernel;

import popek.linux.ns.CgroupNamespace;
import popek.linux.ns.IpcNamespace;
import popek.linux.ns.Namespace;
import popek.linux.ns.NetNamespace;
import popek.linux.ns.NsType;
import popek.linux.ns.TimeNamespace;
import popek.linux.ns.UtsNamespace;
import popek.linux.vfs.MountNamespace;

/**
 * The namespaces a task belongs to besides its pid namespace (fixed at its birth, in its {@link Pid}) and its user
 * namespace (in its credentials), as Linux's nsproxy holds them: tasks share one until one of them changes it with
 * unshare or setns. {@code pidForChildren} and {@code timeForChildren} are where its children will be made.
 */
public record Namespaces(UtsNamespace uts, IpcNamespace ipc, MountNamespace mnt, NetNamespace net, CgroupNamespace cgroup,
                         PidNamespace pidForChildren, TimeNamespace time, TimeNamespace timeForChildren) {

    /** The same with {@code n} in place of the one of its kind ({@code forChildren}: pid and time for children). */
    public Namespaces with(Namespace n, boolean forChildren) {
        return switch (n.type()) {
            case UTS -> new Namespaces((UtsNamespace) n, ipc, mnt, net, cgroup, pidForChildren, time, timeForChildren);
            case IPC -> new Namespaces(uts, (IpcNamespace) n, mnt, net, cgroup, pidForChildren, time, timeForChildren);
            case MNT -> new Namespaces(uts, ipc, (MountNamespace) n, net, cgroup, pidForChildren, time, timeForChildren);
            case NET -> new Namespaces(uts, ipc, mnt, (NetNamespace) n, cgroup, pidForChildren, time, timeForChildren);
            case CGROUP -> new Namespaces(uts, ipc, mnt, net, (CgroupNamespace) n, pidForChildren, time, timeForChildren);
            case PID -> new Namespaces(uts, ipc, mnt, net, cgroup, (PidNamespace) n, time, timeForChildren);
            case TIME -> forChildren ? new Namespaces(uts, ipc, mnt, net, cgroup, pidForChildren, time, (TimeNamespace) n)
                    : new Namespaces(uts, ipc, mnt, net, cgroup, pidForChildren, (TimeNamespace) n, (TimeNamespace) n);
            case USER -> throw new IllegalArgumentException("a user namespace belongs to credentials");
        };
    }

    /** The namespace of {@code type} (pid: for children; user: not held here, null). */
    public Namespace of(NsType type) {
        return switch (type) {
            case UTS -> uts;
            case IPC -> ipc;
            case MNT -> mnt;
            case NET -> net;
            case CGROUP -> cgroup;
            case PID -> pidForChildren;
            case TIME -> time;
            case USER -> null;
        };
    }
}
