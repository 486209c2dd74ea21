package popek.sched;

/**
 * What a run queue orders: an entity (a task or a vCPU) or a group (a cgroup's own queue, standing in its parent's),
 * with its virtual runtime, the key the queue is ordered by.
 */
abstract sealed class Node permits Entity, GroupNode {
    /** Virtual runtime: nanoseconds run, scaled by {@link popek.cgroup.CpuControl#DEFAULT_WEIGHT} / weight. */
    long vruntime;
    /** Where this node sits in its parent's heap, or -1 while it is not queued there. */
    int heapIndex = -1;
    /** The insertion count that breaks ties between equal vruntimes (first in, first out). */
    long seq;
    /** The group whose queue this node belongs to (null for the root; an entity's changes when it moves). */
    GroupNode parent;
    /** Levels below the root (the root's own children: 1). */
    int depth;

    void setParent(GroupNode p) {
        parent = p;
        depth = p == null ? 0 : p.depth + 1;
    }

    /** The weight vruntime is scaled by (a group's cpu.weight; a task's or vCPU's is the default). */
    abstract int weight();

    boolean queued() { return heapIndex >= 0; }
}
