package popek.linux.kernel;

/**
 * A task's id as each pid namespace sees it, from the namespace it was made in up to the root (Linux's struct pid):
 * {@code nr(level)} is its number at that level. The root-level number is the kernel's own name for the task (its
 * {@code tid}), which the root namespace's tables are keyed by; a namespace further down sees the task only if it is
 * on that chain.
 */
public final class Pid {
    private final PidNamespace ns;
    private final int[] numbers;

    Pid(PidNamespace ns, int[] numbers) {
        this.ns = ns;
        this.numbers = numbers;
    }

    /** The namespace the task was made in (its "active" pid namespace, which never changes). */
    public PidNamespace namespace() { return ns; }

    /** The kernel's name for it: its number in the root namespace. */
    public int global() { return numbers[0]; }

    /** Its number in its own namespace (what getpid returns to it). */
    public int own() { return numbers[ns.level()]; }

    /** Its number in {@code in}, or 0 if {@code in} cannot see it (it is not {@code in} nor below it). */
    public int nr(PidNamespace in) {
        int level = in.level();
        if (level > ns.level()) return 0;
        PidNamespace n = ns;
        while (n.level() > level) n = n.parent();
        return n == in ? numbers[level] : 0;
    }

    int nrAt(int level) { return numbers[level]; }

    @Override
    public String toString() { return "pid " + numbers[ns.level()] + " (global " + numbers[0] + ")"; }
}
