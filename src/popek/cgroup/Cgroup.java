package popek.cgroup;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One node of Popek's cgroup v2 hierarchy: every container and every VM is one, and a container may make children
 * of its own. The node holds the controllers' settings and counters; who enforces them (the scheduler for cpu, the
 * Linux kernel's page charging and fork for memory and pids) reads and updates them here. Names follow
 * Documentation/admin-guide/cgroup-v2.rst.
 */
public final class Cgroup {
    /** cgroup.max.descendants and cgroup.max.depth's "max". */
    public static final int UNLIMITED = Integer.MAX_VALUE;

    private final String name;
    private final Cgroup parent;
    private final TreeMap<String, Cgroup> children = new TreeMap<>();
    private final CpuControl cpu = new CpuControl();
    private final MemoryControl memory = new MemoryControl();
    private final PidsControl pids = new PidsControl();
    /** Live tasks (not yet exited) in this cgroup itself: what makes it and its ancestors "populated". */
    private final AtomicInteger liveTasks = new AtomicInteger();
    private volatile int subtreeControl;
    private volatile int maxDescendants = UNLIMITED, maxDepth = UNLIMITED;
    private volatile boolean removed;
    private final long createdNanos = System.currentTimeMillis() * 1_000_000L;

    Cgroup(String name, Cgroup parent) {
        this.name = name;
        this.parent = parent;
    }

    /** The last component of its path ("" for the root). */
    public String name() { return name; }

    /** Its parent, or null for the hierarchy's root. */
    public Cgroup parent() { return parent; }

    /** The cpu controller's settings (cpu.weight, cpu.max) and counters (cpu.stat). */
    public CpuControl cpu() { return cpu; }

    /** The memory controller's settings and charges. */
    public MemoryControl memory() { return memory; }

    /** The pids controller's limit and count. */
    public PidsControl pids() { return pids; }

    /** Its path from the hierarchy's root: "/" for the root, else "/a/b". */
    public String path() {
        if (parent == null) return "/";
        String p = parent.path();
        return p.equals("/") ? "/" + name : p + "/" + name;
    }

    /** Its path as seen from {@code viewRoot} (a cgroup namespace's root): "/" for the view root itself. */
    public String pathFrom(Cgroup viewRoot) {
        if (this == viewRoot || parent == null) return "/";
        String p = parent.pathFrom(viewRoot);
        return p.equals("/") ? "/" + name : p + "/" + name;
    }

    /** True for this cgroup and its descendants of {@code ancestor}. */
    public boolean within(Cgroup ancestor) {
        for (Cgroup c = this; c != null; c = c.parent) if (c == ancestor) return true;
        return false;
    }

    /** Levels below the hierarchy's root (0 for the root). */
    public int depth() {
        int d = 0;
        for (Cgroup c = parent; c != null; c = c.parent) d++;
        return d;
    }

    /** Wall-clock time it was made (ns since the epoch), for its files' times. */
    public long createdNanos() { return createdNanos; }

    /** The child named {@code childName}, or null. */
    public synchronized Cgroup child(String childName) { return children.get(childName); }

    /** Its children, in name order. */
    public synchronized List<Cgroup> children() { return new ArrayList<>(children.values()); }

    /** Makes a child (mkdir in cgroupfs); null if one of that name exists. */
    public synchronized Cgroup create(String childName) {
        if (removed || children.containsKey(childName)) return null;
        Cgroup c = new Cgroup(childName, this);
        children.put(childName, c);
        return c;
    }

    /** Removes an empty child (rmdir); false if there is none of that name, or it has children or live tasks. */
    public synchronized boolean remove(String childName) {
        Cgroup c = children.get(childName);
        if (c == null || !c.children().isEmpty() || c.populated()) return false;
        children.remove(childName);
        c.removed = true;
        return true;
    }

    /** Removes a child with its whole subtree, whatever is in it (the hierarchy's owner ending a container or VM). */
    synchronized void discard(String childName) {
        Cgroup c = children.remove(childName);
        if (c != null) c.markRemoved();
    }

    private void markRemoved() {
        removed = true;
        for (Cgroup c : children()) c.markRemoved();
    }

    /** True once removed from the tree (rmdir): /proc/[pid]/cgroup then says "(deleted)", and nothing may join it. */
    public boolean removed() { return removed; }

    /** A new hierarchy's root (one per JVM host of containers and VMs), every controller enabled for its children. */
    public static Cgroup newRoot() {
        Cgroup r = new Cgroup("", null);
        r.subtreeControl = Controller.ALL;
        return r;
    }

    // ---------------------------------------------------------------- core: controllers, limits, population

    /** cgroup.subtree_control: the controllers this cgroup distributes to its children (a {@link Controller} mask). */
    public int subtreeControl() { return subtreeControl; }

    void setSubtreeControl(int mask) { subtreeControl = mask; }

    /** cgroup.controllers: what it may enable for its children (its parent's subtree_control; every one at the root). */
    public int controllers() { return parent == null ? Controller.ALL : parent.subtreeControl; }

    /** True when {@code c}'s interface files are in this cgroup (its parent enabled it; never at the root). */
    public boolean has(Controller c) { return parent != null && (parent.subtreeControl & c.bit()) != 0; }

    public int maxDescendants() { return maxDescendants; }

    public void setMaxDescendants(int n) { maxDescendants = n; }

    public int maxDepth() { return maxDepth; }

    public void setMaxDepth(int n) { maxDepth = n; }

    /** How many cgroups are below it. */
    public int descendants() {
        int n = 0;
        for (Cgroup c : children()) n += 1 + c.descendants();
        return n;
    }

    /** How deep its subtree goes below it (0 without children). */
    public int subtreeDepth() {
        int d = 0;
        for (Cgroup c : children()) d = Math.max(d, 1 + c.subtreeDepth());
        return d;
    }

    /** cgroup.events populated: a live task in it or below it. */
    public boolean populated() {
        if (liveTasks.get() > 0) return true;
        for (Cgroup c : children()) if (c.populated()) return true;
        return false;
    }

    /** Live tasks in this cgroup itself. */
    public int liveTasks() { return liveTasks.get(); }

    /** {@code n} tasks joined this cgroup (made in it, or migrated into it); negative when they leave or exit. */
    public void addLiveTasks(int n) { liveTasks.addAndGet(n); }

    // ---------------------------------------------------------------- memory charges

    /**
     * Charges {@code bytes} of {@code kind} (a {@link MemoryControl} kind) to this cgroup and each ancestor. Returns
     * null when charged; otherwise the nearest cgroup whose memory.max the charge would pass, with nothing charged and
     * that cgroup's {@code max} event counted. Allocates nothing.
     */
    public Cgroup chargeMemory(int kind, long bytes) {
        for (Cgroup c = this; c != null; c = c.parent) {
            MemoryControl m = c.memory;
            if (m.current.addAndGet(bytes) > m.max()) {
                m.current.addAndGet(-bytes);
                for (Cgroup u = this; u != c; u = u.parent) u.memory.current.addAndGet(-bytes);
                c.memoryEvent(MemoryControl.MAX_EVENT);
                return c;
            }
        }
        for (Cgroup c = this; c != null; c = c.parent) c.memory.committed(kind, bytes, c.memory.current.get());
        return null;
    }

    /** Charges whatever the limits say (what Linux does for charges that may not fail, and for guest RAM). */
    public void forceChargeMemory(int kind, long bytes) {
        for (Cgroup c = this; c != null; c = c.parent) c.memory.committed(kind, bytes, c.memory.current.addAndGet(bytes));
    }

    /** Gives back a charge made here by {@link #chargeMemory} or {@link #forceChargeMemory}. */
    public void unchargeMemory(int kind, long bytes) {
        for (Cgroup c = this; c != null; c = c.parent) c.memory.uncommitted(kind, bytes);
    }

    /** The nearest cgroup from here up whose usage is above its memory.high, or null. */
    public Cgroup overHigh() {
        for (Cgroup c = this; c != null; c = c.parent) if (c.memory.current.get() > c.memory.high()) return c;
        return null;
    }

    /** A page fault of one of its processes (memory.stat's pgfault, here and in every ancestor). */
    public void countFault() {
        for (Cgroup c = this; c != null; c = c.parent) c.memory.faults.incrementAndGet();
    }

    /** {@code bytes} were reclaimed to make room in it (memory.stat's pgsteal, here and in every ancestor). */
    public void countReclaimed(long bytes) {
        for (Cgroup c = this; c != null; c = c.parent) c.memory.reclaimed.addAndGet(bytes);
    }

    /** Counts memory.events' {@code event} here (local and hierarchical) and in every ancestor (hierarchical). */
    public void memoryEvent(int event) {
        memory.countEvent(event, true);
        for (Cgroup c = parent; c != null; c = c.parent) c.memory.countEvent(event, false);
    }

    // ---------------------------------------------------------------- pids charges

    /**
     * Charges {@code n} new tasks to this cgroup and each ancestor (fork, clone). Returns null when charged; otherwise
     * the nearest cgroup at its pids.max, with nothing charged and its {@code max} event counted (fork fails EAGAIN).
     */
    public Cgroup chargePids(int n) {
        for (Cgroup c = this; c != null; c = c.parent) {
            if (c.pids.current.addAndGet(n) > c.pids.max()) {
                c.pids.current.addAndGet(-n);
                for (Cgroup u = this; u != c; u = u.parent) u.pids.current.addAndGet(-n);
                c.pids.localMaxEvents.incrementAndGet();
                for (Cgroup u = c; u != null; u = u.parent) u.pids.maxEvents.incrementAndGet();
                return c;
            }
        }
        for (Cgroup c = this; c != null; c = c.parent) c.pids.raised(c.pids.current.get());
        return null;
    }

    /** Charges tasks whatever pids.max says (a migration: organisational moves are never refused). */
    public void forceChargePids(int n) {
        for (Cgroup c = this; c != null; c = c.parent) c.pids.raised(c.pids.current.addAndGet(n));
    }

    /** Tasks charged here were released. */
    public void unchargePids(int n) {
        for (Cgroup c = this; c != null; c = c.parent) c.pids.current.addAndGet(-n);
    }

    @Override
    public String toString() { return path(); }
}
