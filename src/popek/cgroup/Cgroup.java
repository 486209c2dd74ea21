package popek.cgroup;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * One node of Popek's cgroup v2 hierarchy: every container and every VM is one, and a container may make children
 * of its own. The node holds the controllers' settings and counters; who enforces them (the scheduler for cpu, the
 * Linux kernel's page charging and fork for memory and pids) reads and updates them here. Names follow
 * Documentation/admin-guide/cgroup-v2.rst.
 */
public final class Cgroup {
    private final String name;
    private final Cgroup parent;
    private final TreeMap<String, Cgroup> children = new TreeMap<>();
    private final CpuControl cpu = new CpuControl();

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

    /** Its path from the hierarchy's root: "/" for the root, else "/a/b". */
    public String path() {
        if (parent == null) return "/";
        String p = parent.path();
        return p.equals("/") ? "/" + name : p + "/" + name;
    }

    /** The child named {@code childName}, or null. */
    public synchronized Cgroup child(String childName) { return children.get(childName); }

    /** Its children, in name order. */
    public synchronized List<Cgroup> children() { return new ArrayList<>(children.values()); }

    /** Makes a child (mkdir in cgroupfs); null if one of that name exists. */
    public synchronized Cgroup create(String childName) {
        if (children.containsKey(childName)) return null;
        Cgroup c = new Cgroup(childName, this);
        children.put(childName, c);
        return c;
    }

    /** Removes an empty child (rmdir); false if there is none of that name or it still has children. */
    public synchronized boolean remove(String childName) {
        Cgroup c = children.get(childName);
        if (c == null || !c.children().isEmpty()) return false;
        children.remove(childName);
        return true;
    }

    /** A new hierarchy's root (one per JVM host of containers and VMs). */
    public static Cgroup newRoot() { return new Cgroup("", null); }

    @Override
    public String toString() { return path(); }
}
