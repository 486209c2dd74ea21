package popek.linux.vfs.setup;

import popek.cgroup.Cgroup;
import popek.cgroup.CgroupKernel;
import popek.linux.vfs.Caller;
import popek.linux.vfs.cgroupfs.CgroupSource;

/** The CgroupSource /sys/fs/cgroup is made with, forwarding to the kernel's once it exists (an empty root before). */
final class DelegatingCgroupSource implements CgroupSource {
    private static final Cgroup NOTHING_YET = Cgroup.newRoot();

    volatile CgroupSource target;

    @Override
    public Cgroup root() { return target == null ? NOTHING_YET : target.root(); }

    @Override
    public CgroupKernel kernel(Caller caller) { return target == null ? CgroupKernel.NONE : target.kernel(caller); }
}
