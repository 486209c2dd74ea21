package popek.sched;

import popek.cgroup.Cgroup;
import popek.cgroup.CpuControl;

/**
 * A cgroup as the scheduler sees it: the queue of its runnable children (entities and child groups), which stands as
 * one node in its parent's queue while it has anything queued and its cpu.max quota allows, and its bandwidth state
 * for the current period.
 */
final class GroupNode extends Node {
    final Cgroup cgroup;
    final CpuControl cpu;
    final NodeHeap queue = new NodeHeap();
    /** The least vruntime among its children, never decreasing: where waking children are placed from. */
    long minVruntime;
    /** Entities running in its subtree now. */
    int running;
    /** Nanoseconds charged, for usage_usec (kept in ns so that short runs add up exactly). */
    long usageNanos, systemNanos;

    // cpu.max: the period now running (scheduler clock; -1: none yet), its runtime left and the part of it given
    // out as slices to entities running now, throttling, and whether the period saw any use.
    long periodStart = -1, runtimeLeft, reserved;
    boolean throttled, activeInPeriod;
    long throttledAt, throttledNanos;
    /** Its place in the scheduler's list of groups waiting for their next period (-1: none). */
    int waitingIndex = -1;

    GroupNode(Cgroup cgroup, GroupNode parent) {
        this.cgroup = cgroup;
        this.cpu = cgroup.cpu();
        setParent(parent);
    }

    @Override
    int weight() { return cpu.weight(); }

    /** cpu.max's quota in ns, or -1 for none. */
    long quotaNanos() {
        long q = cpu.quotaUsec();
        return q == CpuControl.NO_QUOTA ? -1 : q * 1000;
    }

    long periodNanos() { return cpu.periodUsec() * 1000; }

    /** Quota left for new slices: none (0 or less) means it may not be picked until its next period. */
    boolean outOfQuota() { return periodStart >= 0 && runtimeLeft - reserved <= 0; }

    @Override
    public String toString() { return "group " + cgroup.path(); }
}
