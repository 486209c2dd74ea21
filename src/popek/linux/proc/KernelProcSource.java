package popek.linux.proc;

import java.io.ByteArrayOutputStream;
import java.util.List;

import popek.linux.abi.Signals;
import popek.linux.kernel.ControllingTerminal;
import popek.linux.kernel.Kernel;
import popek.linux.kernel.ProcessGroup;
import popek.linux.kernel.Session;
import popek.linux.kernel.SigAction;
import popek.linux.kernel.Task;
import popek.linux.kernel.ThreadGroup;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.Vma;
import popek.linux.syscalls.SystemCalls;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.proc.ProcSource;

/**
 * The kernel's processes as /proc shows them: the pid namespace's thread groups, each described from its leader (or
 * its first live thread), its address space and descriptors, and the system's figures (memory from the page pool,
 * times from the kernel's clock). Called on the kernel's thread, from the file system calls that read /proc.
 */
public final class KernelProcSource implements ProcSource {
    private static final long TICK = 1_000_000_000L / HZ;

    private final Kernel kernel;

    public KernelProcSource(Kernel kernel) { this.kernel = kernel; }

    private ThreadGroup group(int pid) { return kernel.pids().threadGroup(pid); }

    /** The thread that speaks for the process: the leader while it lives, else any live thread. */
    private static Task speaker(ThreadGroup g) {
        Task l = g.leader();
        if (l != null && l.runState() != Task.State.DEAD) return l;
        for (Task t : g.tasks()) if (t.runState() != Task.State.DEAD) return t;
        return l;
    }

    @Override
    public int[] pids() {
        List<ThreadGroup> gs = kernel.pids().threadGroups();
        int[] out = new int[gs.size()];
        for (int i = 0; i < out.length; i++) out[i] = gs.get(i).tgid();
        return out;
    }

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
        return new ProcessInfo(pid, t.name(), state, g.parent() == null ? 0 : g.parent().tgid(), pg == null ? 0 : pg.pgid(),
                session == null ? 0 : session.sid(), ttyNumber(session), fg == null ? -1 : fg.pgid(), 0, g.userNanos() / TICK, 0,
                g.childrenUserNanos() / TICK, 0, g.tasks().size(), g.startNanos() / TICK, mm == null ? 0 : mm.residentPages(),
                t.credentials(), t.pendingSignals().set(), g.sharedPending().set(), t.blockedSignals(), ignored, caught,
                g.zombie() ? new byte[0] : joined(g.argv()), g.zombie() ? new byte[0] : joined(g.envp()), g.executable(),
                mm == null ? List.of() : mm.areas(), mm == null ? 0 : mm.brkStart(), mm == null ? 0 : mm.brk(),
                g.zombie() ? g.waitStatus() : 0);
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
        return g.tasks().stream().filter(t -> t.runState() != Task.State.DEAD).mapToInt(Task::tid).toArray();
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

    @Override
    public SystemInfo system() {
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
        long mono = kernel.clock().monotonic();
        return new SystemInfo(mono, pool.totalFrames() * page, pool.freeFrames() * page, kernel.pageCache().cachedFrames() * page,
                kernel.stats().contextSwitches, kernel.stats().processesCreated, Math.max(1, running), tasks, last,
                (kernel.clock().realtime() - mono) / 1_000_000_000L, user / TICK, kernel.hostname(), kernel.domainname(),
                SystemCalls.RELEASE, SystemCalls.VERSION);
    }

    @Override
    public void setName(boolean host, String name) {
        if (host) kernel.setHostname(name);
        else kernel.setDomainname(name);
    }

    /** tty_nr of /proc/[pid]/stat: the session's controlling terminal's device number, 0 without one. */
    private static int ttyNumber(Session session) {
        return session != null && session.controllingTerminal() instanceof ControllingTerminal ct ? ct.device() : 0;
    }
}
