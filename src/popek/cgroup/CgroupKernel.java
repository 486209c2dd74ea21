package popek.cgroup;

/**
 * What a cgroup's files need from the kernel whose tasks are in it, answered for one caller (a process writing
 * {@code 0} to cgroup.procs means itself; pids are as the caller's pid namespace numbers them): the processes and
 * threads in a cgroup, moving one, killing them all, and bringing a cgroup's memory down by reclaim (and, where
 * memory.max asks, the OOM killer). Failures are thrown as {@link popek.linux.abi.SyscallException}s.
 */
public interface CgroupKernel {
    /** The pids of the live processes in {@code cg} itself, ascending. */
    int[] processes(Cgroup cg);

    /** The tids of the live threads in {@code cg} itself, ascending. */
    int[] threads(Cgroup cg);

    /** The cgroup of process (or, with {@code thread}, thread) {@code id}, 0 meaning the caller; null if there is none. */
    Cgroup cgroupOf(int id, boolean thread);

    /** Moves every thread of process {@code pid} (0: the caller's) into {@code to} (ESRCH if there is none). */
    void moveProcess(int pid, Cgroup to);

    /** SIGKILL to every process in {@code cg} and its descendants (cgroup.kill). */
    void kill(Cgroup cg);

    /**
     * Reclaims memory charged to {@code cg} until its usage is at most {@code target} bytes; with {@code oomKill}, kills
     * with the OOM killer when reclaim cannot get there (memory.max lowered below usage). Returns the bytes freed.
     */
    long reclaim(Cgroup cg, long target, boolean oomKill);

    /** For cgroups no kernel has tasks in (a VM's, a test's): no processes, nothing to reclaim. */
    CgroupKernel NONE = new CgroupKernel() {
        @Override
        public int[] processes(Cgroup cg) { return new int[0]; }

        @Override
        public int[] threads(Cgroup cg) { return new int[0]; }

        @Override
        public Cgroup cgroupOf(int id, boolean thread) { return null; }

        @Override
        public void moveProcess(int pid, Cgroup to) { throw popek.linux.abi.Errno.error(popek.linux.abi.Errno.ESRCH); }

        @Override
        public void kill(Cgroup cg) { }

        @Override
        public long reclaim(Cgroup cg, long target, boolean oomKill) { return 0; }
    };
}
