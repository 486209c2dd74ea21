package popek.cgroup;

import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;

/**
 * Every interface file a cgroup directory can have, in name order, and which of them a given cgroup has: the core
 * files, and each controller's where the parent enabled it (cgroup-v2.rst: a controller's files are the parent's).
 */
public final class InterfaceFiles {
    private static final List<ControlFile> ALL;

    static {
        List<ControlFile> all = new ArrayList<>();
        CoreFiles.add(all);
        CpuFiles.add(all);
        MemoryFiles.add(all);
        PidsFiles.add(all);
        all.sort((a, b) -> a.name().compareTo(b.name()));
        ALL = List.copyOf(all);
    }

    private InterfaceFiles() { }

    /** Every file any cgroup may have, in name order. */
    public static List<ControlFile> all() { return ALL; }

    /** The files {@code cg} has now. */
    public static List<ControlFile> of(Cgroup cg) {
        List<ControlFile> out = new ArrayList<>();
        for (ControlFile f : ALL) if (f.present().test(cg)) out.add(f);
        return out;
    }

    /** {@code cg}'s file {@code name}, or null if it has none of that name. */
    public static ControlFile find(Cgroup cg, String name) {
        for (ControlFile f : ALL) if (f.name().equals(name)) return f.present().test(cg) ? f : null;
        return null;
    }

    /** The text of {@code cg}'s file {@code name} as read now (for tests and tools); null if it has no such readable file. */
    public static String read(Cgroup cg, String name, CgroupKernel kernel) {
        ControlFile f = find(cg, name);
        return f == null || !f.readable() ? null : f.reader().read(cg, new OpenFile(kernel));
    }

    /** Writes {@code text} to {@code cg}'s file {@code name} as one write(2) would; throws Linux's errno as a SyscallException. */
    public static void write(Cgroup cg, String name, String text, CgroupKernel kernel) {
        ControlFile f = find(cg, name);
        if (f == null || !f.writable()) throw Errno.error(Errno.EACCES);
        f.writer().write(cg, text, new OpenFile(kernel));
    }

    /** Makes child {@code name} of {@code parent} (mkdir): EEXIST, EAGAIN past a max.descendants or max.depth, ENOENT if removed. */
    public static Cgroup mkdir(Cgroup parent, String name) {
        if (name.indexOf('\n') >= 0) throw Errno.error(Errno.EINVAL);
        synchronized (parent) {
            if (parent.removed()) throw Errno.error(Errno.ENOENT);
            if (parent.child(name) != null || find(parent, name) != null) throw Errno.error(Errno.EEXIST);
            int level = 0;
            for (Cgroup c = parent; c != null; c = c.parent(), level++) {
                if (c.descendants() >= c.maxDescendants() || level >= c.maxDepth()) throw Errno.error(Errno.EAGAIN);
            }
            return parent.create(name);
        }
    }

    /** Removes child {@code name} of {@code parent} (rmdir): EBUSY while it has live tasks or children. */
    public static void rmdir(Cgroup parent, String name) {
        Cgroup c = parent.child(name);
        if (c == null) throw Errno.error(Errno.ENOENT);
        if (!parent.remove(name)) throw Errno.error(Errno.EBUSY);
    }
}
