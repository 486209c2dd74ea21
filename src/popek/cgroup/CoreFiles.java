package popek.cgroup;

import java.util.List;
import java.util.function.Predicate;

import popek.linux.abi.Errno;

/**
 * The {@code cgroup.*} files: controllers, subtree_control (with the top-down and no-internal-process rules),
 * procs and threads (listing and migrating), events, type, max.descendants, max.depth, stat and kill.
 *
 * <p>Popek has no threaded mode: cgroup.type is always "domain" and refuses "threaded" with EOPNOTSUPP; every
 * controller (cpu and pids too, which Linux lets a populated cgroup enable for threaded use) is refused with EBUSY
 * in a non-root cgroup that has live tasks, and a process cannot join a cgroup that distributes controllers.
 */
final class CoreFiles {
    private CoreFiles() { }

    static final Predicate<Cgroup> ALL = cg -> true, NON_ROOT = cg -> cg.parent() != null;

    static void add(List<ControlFile> out) {
        out.add(ControlFile.readOnly("cgroup.controllers", ALL, (cg, f) -> Controller.names(cg.controllers()) + "\n"));
        out.add(ControlFile.readOnly("cgroup.events", NON_ROOT, (cg, f) -> "populated " + (cg.populated() ? 1 : 0) + "\nfrozen 0\n"));
        out.add(ControlFile.writeOnly("cgroup.kill", NON_ROOT, CoreFiles::kill));
        out.add(ControlFile.readWrite("cgroup.max.depth", ALL, (cg, f) -> Values.limit(cg.maxDepth(), Cgroup.UNLIMITED) + "\n",
                (cg, s, f) -> cg.setMaxDepth(count(s))));
        out.add(ControlFile.readWrite("cgroup.max.descendants", ALL,
                (cg, f) -> Values.limit(cg.maxDescendants(), Cgroup.UNLIMITED) + "\n", (cg, s, f) -> cg.setMaxDescendants(count(s))));
        out.add(ControlFile.delegatable("cgroup.procs", 0644, ALL, (cg, f) -> lines(f.kernel().processes(cg)), CoreFiles::procs));
        out.add(ControlFile.readOnly("cgroup.stat", ALL, CoreFiles::stat));
        out.add(ControlFile.delegatable("cgroup.subtree_control", 0644, ALL, (cg, f) -> Controller.names(cg.subtreeControl()) + "\n",
                CoreFiles::subtreeControl));
        out.add(ControlFile.delegatable("cgroup.threads", 0644, ALL, (cg, f) -> lines(f.kernel().threads(cg)), CoreFiles::threads));
        out.add(ControlFile.readWrite("cgroup.type", NON_ROOT, (cg, f) -> "domain\n", (cg, s, f) -> {
            throw Errno.error(Values.strip(s).equals("threaded") ? Errno.EOPNOTSUPP : Errno.EINVAL);
        }));
    }

    static String lines(int[] ids) {
        StringBuilder b = new StringBuilder();
        for (int id : ids) b.append(id).append('\n');
        return b.toString();
    }

    /** cgroup.max.depth and max.descendants: "max", or a count (ERANGE below 0). */
    private static int count(String s) {
        String v = Values.strip(s);
        if (v.equals("max")) return Cgroup.UNLIMITED;
        int n = Values.kstrtoint(v);
        if (n < 0) throw Errno.error(Errno.ERANGE);
        return n;
    }

    private static String stat(Cgroup cg, OpenFile f) {
        StringBuilder b = new StringBuilder();
        b.append("nr_descendants ").append(cg.descendants()).append('\n');
        b.append("nr_dying_descendants 0\n");
        for (Controller c : Controller.values()) b.append("nr_subsys_").append(c.label()).append(' ').append(subsystems(cg, c)).append('\n');
        return b.toString();
    }

    /** Cgroups at and below {@code cg} that have controller {@code c} (the root has every one). */
    private static int subsystems(Cgroup cg, Controller c) {
        int n = cg.parent() == null || cg.has(c) ? 1 : 0;
        for (Cgroup child : cg.children()) n += subsystems(child, c);
        return n;
    }

    private static void procs(Cgroup cg, String s, OpenFile f) {
        int pid = Values.kstrtoint(Values.strip(s));
        if (pid < 0) throw Errno.error(Errno.ESRCH);
        if (cg.removed()) throw Errno.error(Errno.ENODEV);
        if (cg.parent() != null && cg.subtreeControl() != 0) throw Errno.error(Errno.EBUSY);
        f.kernel().moveProcess(pid, cg);
    }

    private static void threads(Cgroup cg, String s, OpenFile f) {
        int tid = Values.kstrtoint(Values.strip(s));
        Cgroup now = tid < 0 ? null : f.kernel().cgroupOf(tid, true);
        if (now == null) throw Errno.error(Errno.ESRCH);
        // Without threaded cgroups every thread of a process is in its process's cgroup: another is another domain.
        if (now != cg) throw Errno.error(Errno.EOPNOTSUPP);
    }

    private static void kill(Cgroup cg, String s, OpenFile f) {
        if (Values.kstrtoint(Values.strip(s)) != 1) throw Errno.error(Errno.ERANGE);
        f.kernel().kill(cg);
    }

    /** "+memory -cpu ...": all applied or none, as cgroup-v2.rst's Controlling Controllers says. */
    private static void subtreeControl(Cgroup cg, String s, OpenFile f) {
        int enable = 0, disable = 0;
        for (String tok : Values.strip(s).split(" ")) {
            if (tok.isEmpty()) continue;
            Controller c = Controller.named(tok.substring(1));
            if (c == null || (tok.charAt(0) != '+' && tok.charAt(0) != '-')) throw Errno.error(Errno.EINVAL);
            if (tok.charAt(0) == '+') {
                enable |= c.bit();
                disable &= ~c.bit();
            } else {
                disable |= c.bit();
                enable &= ~c.bit();
            }
        }
        synchronized (cg) {
            int now = cg.subtreeControl();
            enable &= ~now;
            disable &= now;
            if ((enable & ~cg.controllers()) != 0) throw Errno.error(Errno.ENOENT);
            for (Cgroup child : cg.children()) if ((child.subtreeControl() & disable) != 0) throw Errno.error(Errno.EBUSY);
            if (enable == 0 && disable == 0) return;
            if (enable != 0 && cg.parent() != null && cg.liveTasks() > 0) throw Errno.error(Errno.EBUSY);
            cg.setSubtreeControl((now | enable) & ~disable);
            // A controller taken away from the children takes its settings with it (Linux frees their state).
            for (Cgroup child : cg.children()) ControllerDefaults.reset(child, disable);
        }
    }
}
