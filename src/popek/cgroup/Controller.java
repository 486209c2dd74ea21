package popek.cgroup;

/**
 * The controllers Popek's cgroups have, in the order Linux lists them in {@code cgroup.controllers}: each is a bit of
 * a cgroup's {@code cgroup.subtree_control} mask. cpu and pids are threaded controllers in Linux, memory a domain one;
 * Popek has no threaded mode, so all three obey the no-internal-process rule (see {@link CoreFiles}).
 */
public enum Controller {
    CPU("cpu"), MEMORY("memory"), PIDS("pids");

    /** Every controller's bit. */
    public static final int ALL = (1 << values().length) - 1;

    private final String label;

    Controller(String label) { this.label = label; }

    /** The name cgroup files use ("cpu", "memory", "pids"). */
    public String label() { return label; }

    /** Its bit in a subtree_control mask. */
    public int bit() { return 1 << ordinal(); }

    /** The controller called {@code name}, or null. */
    public static Controller named(String name) {
        for (Controller c : values()) if (c.label.equals(name)) return c;
        return null;
    }

    /** The names of the controllers in {@code mask}, space separated, in Linux's order ("" for none). */
    public static String names(int mask) {
        StringBuilder b = new StringBuilder();
        for (Controller c : values()) {
            if ((mask & c.bit()) == 0) continue;
            if (!b.isEmpty()) b.append(' ');
            b.append(c.label);
        }
        return b.toString();
    }
}
