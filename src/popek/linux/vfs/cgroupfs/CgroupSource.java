package popek.linux.vfs.cgroupfs;

import popek.cgroup.Cgroup;
import popek.cgroup.CgroupKernel;
import popek.linux.vfs.Caller;

/** What a cgroup2 mount shows, asked of the kernel (which the VFS cannot see): its root cgroup, and the tasks in cgroups. */
public interface CgroupSource {
    /** The cgroup at the mount's root: the container's own, which it sees as the root of the hierarchy. */
    Cgroup root();

    /** The kernel side of the cgroup files for {@code caller} (its pid numbering, "0" meaning itself). */
    CgroupKernel kernel(Caller caller);
}
