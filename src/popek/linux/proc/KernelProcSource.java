package popek.linux.proc;

import java.io.ByteArrayOutputStream;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.kernel.ControllingTerminal;
import popek.linux.kernel.Kernel;
import popek.linux.kernel.Namespaces;
import popek.linux.kernel.Pid;
import popek.linux.kernel.PidNamespace;
import popek.linux.kernel.ProcessGroup;
import popek.linux.kernel.Session;
import popek.linux.kernel.SigAction;
import popek.linux.kernel.Task;
import popek.linux.kernel.ThreadGroup;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.Vma;
import popek.linux.ns.Namespace;
import popek.linux.ns.UtsNamespace;
import popek.linux.syscalls.SystemCalls;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.proc.ProcSource;

/**
 * The kernel's processes as a /proc shows them: the thread groups one pid namespace sees (the mounter's), each
 * described from its leader (or its first live thread) with its ids as that namespace numbers them, its address
 * space, descriptors and namespaces; and the system's figures (memory from the page pool, times from the kernel's
 * clock, names from the reader's UTS namespace). Called on the kernel's thread, from the file system calls that read
 * /proc.
 */
public final class KernelProcSource implements ProcSource {
    private static final long TICK = 1_000_000_000L / HZ;

    private final Kernel kernel;
    private final PidNamespace ns;

    /** The view of the kernel's root pid namespace (a container's first /proc). */
    public KernelProcSource(Kernel kernel) { this(kernel, kernel.pids()); }

    private KernelProcSource(Kernel kernel, PidNamespace ns) {
        this.kernel = kernel;
        this.ns = ns;
    }

    @Override
    public ProcSource viewFor(Caller mounter) {
        return mounter instanceof Task t ? new KernelProcSource(kernel, t.pidNamespace()) : this;
    }

    private ThreadGroup group(int pid) { return ns.threadGroup(pid); }

    /** A task calling into /proc (every caller of the file system calls is one). */
    private static Task task(Caller c) {
        if (c instanceof Task t) return t;
        throw Errno.error(Errno.EPERM);
    }

    /** The thread that speaks for the process: the leader while it lives, else any live thread. */
    private static Task speaker(ThreadGroup g) {
        Task l = g.leader();
        if (l != null && l.runState() != Task.State.DEAD) return l;
        for (Task t : g.tasks()) if (t.runState() != Task.State.DEAD) return t;
        return l;
    }

    @Override
    public int[] pids() {
        List<ThreadGroup> gs = ns.threadGroups();
        int[] out = new int[gs.size()];
        for (int i = 0; i < out.length; i++) out[i] = gs.get(i).tgid(ns);
        return out;
    }

    @Override
    public int pidOf(Caller c) { return c instanceof Task t ? t.group().tgid(ns) : 0; }

    @Override
    public FsContext callerFs(Caller c) { return c instanceof Task t && t.group() != null ? t.fs() : null; }

    @Override
    public ProcessInfo process(int pid) {
        ThreadGroup g = group(pid);
        if (g == null) return null;
        Task t = speaker(g);
        if (t == null) return null;
        char state = g.zombie() ? 'Z' : switch (t.runState()) {
            case RUNNING, RUNNABLE, NEW -> 'R';
            case SLEEPING -> 'S';
            case STOPPED -> 'T';
            case DEAD -> 'Z';
        };
        ProcessGroup pg = g.processGroup();
        var session = pg == null ? null : pg.session();
        ProcessGroup fg = session == null ? null : session.foreground();
        long ignored = 0, caught = 0;
        if (t.handlers() != null) {
            for (int sig = 1; sig <= Signals.NSIG; sig++) {
                SigAction a = t.handlers().get(sig);
                if (a == null) continue;
                if (a.isIgnore()) ignored |= Signals.bit(sig);
                else if (!a.isDefault()) caught |= Signals.bit(sig);
            }
        }
        MemoryManager mm = g.zombie() ? null : t.mm();
        ThreadGroup parent = g.parent();
        return new ProcessInfo(pid, t.name(), state, parent == null ? 0 : parent.tgid(ns), pg == null ? 0 : pg.pgid(ns),
                session == null ? 0 : session.sid(ns), ttyNumber(session), fg == null ? -1 : fg.pgid(ns), 0, g.userNanos() / TICK, 0,
                g.childrenUserNanos() / TICK, 0, g.tasks().size(), g.startNanos() / TICK, mm == null ? 0 : mm.residentPages(),
                t.credentials(), t.pendingSignals().set(), g.sharedPending().set(), t.blockedSignals(), ignored, caught,
                g.zombie() ? new byte[0] : joined(g.argv()), g.zombie() ? new byte[0] : joined(g.envp()), g.executable(),
                mm == null ? List.of() : mm.areas(), mm == null ? 0 : mm.brkStart(), mm == null ? 0 : mm.brk(),
                g.zombie() ? g.waitStatus() : 0, chain(g.pid(), g.pid()), pg == null ? new int[0] : chain(g.pid(), pg.pidNumbers()),
                session == null ? new int[0] : chain(g.pid(), session.pidNumbers()));
    }

    /**
     * {@code id}'s numbers in each pid namespace of {@code task}'s, from this /proc's down to the task's own, as
     * status's NS* lines list them (0 where one cannot see it).
     */
    private int[] chain(Pid task, Pid id) {
        int n = task.namespace().level() - ns.level() + 1;
        if (n <= 0 || task.nr(ns) == 0) return new int[0];
        int[] out = new int[n];
        PidNamespace at = task.namespace();
        for (int i = n - 1; i >= 0; i--) {
            out[i] = id.nr(at);
            at = at.parent();
        }
        return out;
    }

    private static byte[] joined(byte[][] parts) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            o.write(p, 0, p.length);
            o.write(0);
        }
        return o.toByteArray();
    }

    @Override
    public int[] threads(int pid) {
        ThreadGroup g = group(pid);
        if (g == null) return new int[0];
        return g.tasks().stream().filter(t -> t.runState() != Task.State.DEAD).mapToInt(t -> t.pidNumbers().nr(ns)).toArray();
    }

    @Override
    public int[] nsIds(int tid) {
        Task t = ns.task(tid);
        return t == null ? new int[0] : chain(t.pidNumbers(), t.pidNumbers());
    }

    private Task fileOwner(int pid) {
        ThreadGroup g = group(pid);
        if (g == null || g.zombie()) return null;
        Task t = speaker(g);
        return t == null || t.fds() == null ? null : t;
    }

    @Override
    public int[] fds(int pid) {
        Task t = fileOwner(pid);
        return t == null ? new int[0] : t.fds().openDescriptors();
    }

    @Override
    public FileDescription fd(int pid, int fd) {
        Task t = fileOwner(pid);
        return t == null ? null : t.fds().get(fd);
    }

    @Override
    public boolean closeOnExec(int pid, int fd) {
        Task t = fileOwner(pid);
        return t != null && t.fds().closeOnExec(fd);
    }

    @Override
    public FsContext fs(int pid) {
        Task t = fileOwner(pid);
        return t == null ? null : t.fs();
    }

    // ---------------------------------------------------------------- namespaces

    @Override
    public Namespace namespace(int pid, String link) {
        Task t = fileOwner(pid);
        if (t == null) return null;
        Namespaces n = t.namespaces();
        return switch (link) {
            case "cgroup" -> n.cgroup();
            case "ipc" -> n.ipc();
            case "mnt" -> n.mnt();
            case "net" -> n.net();
            case "pid" -> t.pidNamespace();
            case "pid_for_children" -> n.pidForChildren() == t.pidNamespace() || n.pidForChildren().init() != null ? n.pidForChildren() : null;
            case "time" -> n.time();
            case "time_for_children" -> n.timeForChildren();
            case "user" -> t.credentials().userNs();
            case "uts" -> n.uts();
            default -> null;
        };
    }

    private Task live(int pid) {
        Task t = fileOwner(pid);
        if (t == null) throw Errno.error(Errno.ESRCH);
        return t;
    }

    @Override
    public String cgroup(Caller c, int pid) {
        Task t = live(pid);
        var view = c instanceof Task reader ? reader.namespaces().cgroup() : t.namespaces().cgroup();   // the reader's namespace
        return "0::" + view.view(popek.linux.kernel.NamespaceChanges.cgroupPath(t)) + "\n";
    }

    @Override
    public String idMap(Caller c, int pid, boolean groups) {
        return live(pid).credentials().userNs().showMap(groups, c.credentials().userNs());
    }

    @Override
    public void writeIdMap(Caller c, int pid, boolean groups, String text) {
        var w = c.credentials();
        live(pid).credentials().userNs().writeMap(groups, text, w.userNs(), w.euid(), w.egid(), w::capable);
    }

    @Override
    public String setgroups(int pid) { return live(pid).credentials().userNs().showSetgroups(); }

    @Override
    public void writeSetgroups(Caller c, int pid, String text) {
        var ns = live(pid).credentials().userNs();
        ns.writeSetgroups(text, c.credentials().capable(ns));
    }

    @Override
    public String timensOffsets(int pid) { return live(pid).namespaces().timeForChildren().showOffsets(); }

    @Override
    public void writeTimensOffsets(Caller c, int pid, String text) {
        var time = live(pid).namespaces().timeForChildren();
        long now = kernel.clock().monotonic();
        time.writeOffsets(text, c.credentials().capable(time.owner()), now, now);
    }

    // ---------------------------------------------------------------- the system

    @Override
    public SystemInfo system(Caller c) {
        var pool = kernel.pool();
        long page = 4096;
        int running = 0, tasks = 0, last = 0;
        long user = 0;
        for (ThreadGroup g : kernel.pids().threadGroups()) {
            user += g.userNanos();
            for (Task t : g.tasks()) {
                if (t.runState() == Task.State.DEAD) continue;
                tasks++;
                if (t.runState() == Task.State.RUNNING || t.runState() == Task.State.RUNNABLE) running++;
                last = Math.max(last, t.tid());
            }
        }
        Namespaces n = c instanceof Task t ? t.namespaces() : kernel.initialNamespaces();
        UtsNamespace uts = n.uts();
        long mono = kernel.clock().monotonic();
        return new SystemInfo(mono + n.time().boottimeOffset(), pool.totalFrames() * page, pool.freeFrames() * page,
                kernel.pageCache().cachedFrames() * page, kernel.stats().contextSwitches, kernel.stats().processesCreated,
                Math.max(1, running), tasks, last, (kernel.clock().realtime() - mono) / 1_000_000_000L, user / TICK,
                uts.hostname(), uts.domainname(), SystemCalls.RELEASE, SystemCalls.VERSION);
    }

    @Override
    public void setName(Caller c, boolean host, String name) {
        UtsNamespace uts = task(c).namespaces().uts();
        if (!c.credentials().capable(uts.owner())) throw Errno.error(Errno.EPERM);
        if (name.length() > UtsNamespace.NAME_MAX) throw Errno.error(Errno.EINVAL);
        if (host) uts.setHostname(name);
        else uts.setDomainname(name);
    }

    /** tty_nr of /proc/[pid]/stat: the session's controlling terminal's device number, 0 without one. */
    private static int ttyNumber(Session session) {
        return session != null && session.controllingTerminal() instanceof ControllingTerminal ct ? ct.device() : 0;
    }
}
