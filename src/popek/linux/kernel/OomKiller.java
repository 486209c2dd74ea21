package popek.linux.kernel;

import java.util.List;

import popek.cgroup.Cgroup;
import popek.cgroup.MemoryControl;
import popek.linux.abi.Signals;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.MemoryPressure;
import popek.linux.mm.PagePool;

/**
 * What a kernel does when a cgroup's memory is at its limit, as Linux's memcg reclaim and OOM killer do within a
 * cgroup: first reclaim (page-cache pages no mapping holds), then kill the process with the largest footprint in the
 * cgroup's subtree (its resident pages, page tables and kernel stacks: oom_badness's measure) with SIGKILL, counting
 * {@code oom} in the cgroup at its limit and {@code oom_kill} in the victim's (with memory.oom.group set, the whole
 * group is killed and {@code oom_group_kill} counted). A victim that is not on the CPU is torn down at once, so its
 * memory is free before the charge that needed it is tried again (Linux's OOM reaper does it soon after); the
 * process on the CPU (the one asking) dies when its charge fails.
 */
final class OomKiller implements MemoryPressure {
    /** At least this much is reclaimed at a time (Linux reclaims SWAP_CLUSTER_MAX pages at least). */
    private static final long RECLAIM_BATCH = 32L * PagePool.PAGE_SIZE;

    private final Kernel kernel;

    OomKiller(Kernel kernel) { this.kernel = kernel; }

    @Override
    public Relief relieve(Cgroup over, long bytes, boolean mayKill) {
        if (reclaimCache(over, Math.max(bytes, RECLAIM_BATCH)) > 0) return Relief.RETRY;
        Task running = running();
        // A dying task (an OOM victim finishing its exit) takes what it needs: killing another for it frees nothing sooner.
        if (running != null && running.group.exiting) return Relief.FORCE;
        if (!mayKill) return Relief.FAIL;
        over.memoryEvent(MemoryControl.OOM);
        ThreadGroup victim = choose(over);
        return victim != null && kill(victim, over) ? Relief.RETRY : Relief.FAIL;
    }

    /** The task on the CPU (the one whose charge is being made), or null. */
    private Task running() {
        for (ThreadGroup g : kernel.pids().threadGroups()) for (Task t : g.tasks) if (t.cpu != null) return t;
        return null;
    }

    @Override
    public void overHigh(Cgroup over) {
        over.memoryEvent(MemoryControl.HIGH);
        long excess = over.memory().current() - over.memory().high();
        if (excess > 0) reclaimCache(over, excess);
    }

    /** Brings {@code cg}'s usage to {@code target} bytes or below (a lowered memory.max or high, memory.reclaim). */
    long reclaim(Cgroup cg, long target, boolean oomKill) {
        long freed = 0;
        for (int round = 0; round < 1000; round++) {
            long excess = cg.memory().current() - target;
            if (excess <= 0) break;
            long before = cg.memory().current();
            if (reclaimCache(cg, excess) == 0) {
                if (!oomKill) break;
                cg.memoryEvent(MemoryControl.OOM);
                ThreadGroup victim = choose(cg);
                if (victim == null || !kill(victim, cg)) break;
            }
            freed += Math.max(0, before - cg.memory().current());
        }
        return freed;
    }

    private long reclaimCache(Cgroup cg, long bytes) {
        long got = kernel.pageCache().reclaim(cg, bytes);
        if (got > 0) cg.countReclaimed(got);
        return got;
    }

    /** The live process in {@code over}'s subtree with the largest footprint (the newest of equals), or null. */
    private ThreadGroup choose(Cgroup over) {
        ThreadGroup best = null;
        long bestPoints = -1;
        for (ThreadGroup g : kernel.pids().threadGroups()) {
            if (g.zombie || g.exiting || !g.cgroup.within(over)) continue;
            long points = footprint(g);
            if (points >= bestPoints) {
                best = g;
                bestPoints = points;
            }
        }
        return best;
    }

    /** oom_badness's measure, in pages: resident pages and page tables of its address space, and its kernel stacks. */
    private static long footprint(ThreadGroup g) {
        MemoryManager mm = null;
        for (Task t : g.tasks) if (t.mm != null) mm = t.mm;
        long pages = mm == null ? 0 : mm.residentPages() + mm.pageTableFrames();
        return pages + g.tasks.size() * (CgroupMembership.KERNEL_STACK_BYTES / PagePool.PAGE_SIZE);
    }

    private List<ThreadGroup> inGroup(Cgroup group) {
        return kernel.pids().threadGroups().stream().filter(g -> !g.zombie && !g.exiting && g.cgroup.within(group)).toList();
    }

    /**
     * Kills {@code victim} (or its memory.oom.group, up to {@code over}) with SIGKILL and tears down those of its tasks
     * not on the CPU. True when that freed what it held; false when the victim is the process on the CPU.
     */
    private boolean kill(ThreadGroup victim, Cgroup over) {
        Cgroup group = null;
        for (Cgroup c = victim.cgroup; c != null; c = c.parent()) {
            if (c.memory().oomGroup()) group = c;
            if (c == over) break;
        }
        List<ThreadGroup> victims = group == null ? List.of(victim) : inGroup(group);
        if (group != null) group.memoryEvent(MemoryControl.OOM_GROUP_KILL);
        boolean freed = true;
        for (ThreadGroup g : victims) {
            MemoryManager mm = null;
            for (Task t : g.tasks) if (t.mm != null) mm = t.mm;
            kernel.log("popek: memory cgroup out of memory (" + over.path() + "): killed process " + g.tgid + " ("
                    + (g.leader != null ? g.leader.name : "?") + "), rss " + (mm == null ? 0 : mm.residentPages() * 4) + " kB");
            g.cgroup.memoryEvent(MemoryControl.OOM_KILL);
            kernel.signals().groupExit(g, Signals.SIGKILL);
            for (Task t : List.copyOf(g.tasks)) {
                if (t.cpu != null) {
                    freed = false;   // on the CPU: it leaves when its failed charge returns
                    continue;
                }
                kernel.processes().exitTask(t, Signals.SIGKILL, true);
                kernel.futexes().forget(t);
            }
        }
        return freed;
    }
}
