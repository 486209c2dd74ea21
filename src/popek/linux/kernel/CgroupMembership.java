package popek.linux.kernel;

import java.util.ArrayList;
import java.util.List;

import popek.cgroup.Cgroup;
import popek.cgroup.CgroupKernel;
import popek.cgroup.MemoryControl;
import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.mm.MemoryManager;
import popek.linux.vfs.Caller;

/**
 * Which cgroup each process of a kernel is in (every thread in its process's: Popek has no threaded cgroups), and
 * what follows from it: a new task is charged to its cgroup's pids (refused with EAGAIN at a pids.max, here or above)
 * and to its memory for the kernel's per-task state; the charges are given back when the task is released (a thread
 * when it exits, a process when it is reaped, as Linux's pids controller counts zombies); a process moved by a write
 * to cgroup.procs takes its pids charge and its live tasks along, and its address space charges new pages to the new
 * cgroup (pages made before stay charged where they were, as cgroup-v2.rst's Memory Ownership says).
 */
public final class CgroupMembership implements popek.linux.vfs.cgroupfs.CgroupSource {
    /**
     * What each task costs in kernel memory (memory.stat's kernel_stack): i386 Linux's 8 KiB kernel stack, and about
     * what Popek keeps per task besides its pages (the 5.5 KiB register snapshot and the task's objects).
     */
    public static final long KERNEL_STACK_BYTES = 8192;

    private final Kernel kernel;

    CgroupMembership(Kernel kernel) { this.kernel = kernel; }

    // ---------------------------------------------------------------- a task's life

    /** Charges one new task to {@code cg} (fork, clone, the first process): 0, -EAGAIN at a pids.max, or -ENOMEM. */
    int charge(Cgroup cg) {
        if (cg.chargePids(1) != null) return -Errno.EAGAIN;
        if (!kernel.pool().charge(cg, MemoryControl.KERNEL_STACK, KERNEL_STACK_BYTES, false)) {
            cg.unchargePids(1);
            return -Errno.ENOMEM;
        }
        return 0;
    }

    /** Gives back a {@link #charge} whose task was never made. */
    void uncharge(Cgroup cg) {
        cg.unchargePids(1);
        cg.unchargeMemory(MemoryControl.KERNEL_STACK, KERNEL_STACK_BYTES);
    }

    /** Task {@code t}, charged to {@code cg} by {@link #charge}, now exists there. */
    void joined(Task t, Cgroup cg) {
        t.stackPaid = cg;
        cg.addLiveTasks(1);
    }

    /** Task {@code t} exited: it no longer populates its cgroup, and its kernel stack is given back. */
    void exited(Task t) {
        if (t.stackPaid == null) return;
        t.group.cgroup.addLiveTasks(-1);
        t.stackPaid.unchargeMemory(MemoryControl.KERNEL_STACK, KERNEL_STACK_BYTES);
        t.stackPaid = null;
    }

    /** Task {@code t}'s id was released (a thread at its exit, a process's leader when reaped): its pids charge goes. */
    void released(ThreadGroup g) { g.cgroup.unchargePids(1); }

    /**
     * The kernel is closing: processes never reaped (the first process, whose parent is outside; orphans of it) give
     * back their pids charge, as the end of a pid namespace reaps them in Linux. Tasks still alive (a kernel closed
     * without being run to its end) give back everything.
     */
    void releaseAll() {
        for (ThreadGroup g : kernel.pids().threadGroups()) {
            if (!g.zombie) {
                for (Task t : List.copyOf(g.tasks)) {
                    exited(t);
                    if (t != g.leader) released(g);
                }
            }
            released(g);
        }
    }

    // ---------------------------------------------------------------- the cgroup files' view

    /** The kernel's cgroup: the root of its containers' /sys/fs/cgroup. */
    @Override
    public Cgroup root() { return kernel.cgroup(); }

    @Override
    public CgroupKernel kernel(Caller caller) { return forCaller(caller); }

    /** The kernel side of the cgroup files, for {@code caller} (null: the kernel itself, for which pid 0 is nobody). */
    public CgroupKernel forCaller(Caller caller) {
        Task self = caller instanceof Task t && t.kernel == kernel ? t : null;
        PidNamespace ns = self == null ? kernel.pids() : self.pidNamespace();   // ids as the caller's pid namespace has them
        return new CgroupKernel() {
            @Override
            public int[] processes(Cgroup cg) { return ids(cg, false, ns); }

            @Override
            public int[] threads(Cgroup cg) { return ids(cg, true, ns); }

            @Override
            public Cgroup cgroupOf(int id, boolean thread) {
                if (id == 0) return self == null ? null : self.group.cgroup;
                if (thread) {
                    Task t = ns.task(id);
                    return t == null || t.runState == Task.State.DEAD ? null : t.group.cgroup;
                }
                ThreadGroup g = ns.threadGroup(id);
                return g == null || g.zombie ? null : g.cgroup;
            }

            @Override
            public void moveProcess(int pid, Cgroup to) {
                ThreadGroup g = pid == 0 ? (self == null ? null : self.group) : groupOfThread(pid, ns);
                if (g == null) throw Errno.error(Errno.ESRCH);
                move(g, to);
            }

            @Override
            public void kill(Cgroup cg) {
                for (ThreadGroup g : kernel.pids().threadGroups()) {
                    if (!g.zombie && g.cgroup.within(cg)) kernel.signals().groupExit(g, Signals.SIGKILL);
                }
            }

            @Override
            public long reclaim(Cgroup cg, long target, boolean oomKill) { return kernel.oomKiller().reclaim(cg, target, oomKill); }
        };
    }

    /** The process of thread {@code tid} (writing any thread's id to cgroup.procs moves its whole process). */
    private static ThreadGroup groupOfThread(int tid, PidNamespace ns) {
        Task t = ns.task(tid);
        return t == null ? null : t.group;
    }

    /** The processes (or threads) in {@code cg}, as {@code ns} numbers them: 0 for those it cannot see, as Linux's cgroup.procs. */
    private int[] ids(Cgroup cg, boolean threads, PidNamespace ns) {
        List<Integer> out = new ArrayList<>();
        for (ThreadGroup g : kernel.pids().threadGroups()) {
            if (g.zombie || g.cgroup != cg) continue;
            if (!threads) out.add(g.tgid(ns));
            else for (Task t : g.tasks) if (t.runState != Task.State.DEAD) out.add(t.pid.nr(ns));
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Moves process {@code g} (every thread) to {@code to}; a process that is exiting stays where it is, as in Linux. */
    void move(ThreadGroup g, Cgroup to) {
        Cgroup from = g.cgroup;
        if (from == to || g.zombie || g.exiting) return;
        int live = g.tasks.size();
        int ids = live + (g.tasks.contains(g.leader) ? 0 : 1);   // a leader that exited keeps its id until reaped
        to.forceChargePids(ids);
        from.unchargePids(ids);
        to.addLiveTasks(live);
        from.addLiveTasks(-live);
        g.cgroup = to;
        List<MemoryManager> done = new ArrayList<>();
        for (Task t : g.tasks) {
            t.entity.moveTo(to);   // its CPU time is charged (and cpu.max applied) there from now on
            if (t.mm != null && !done.contains(t.mm)) {
                t.mm.setCgroup(to);
                done.add(t.mm);
            }
        }
    }
}
