package popek.linux.kernel;

import popek.engine.RegisterFile;
import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.auth.Credentials;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.FsContext;
import popek.linux.waiter.Events;

/**
 * The process tree's life: clone (new processes and threads, with the sharing the flags ask for), exit (a thread, then
 * its process becoming a zombie, its children going to the reaper, its parent told with SIGCHLD), and wait.
 */
public final class Processes {
    public static final int CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
            CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000,
            CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
            CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000,
            CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000;
    /** wait options. */
    public static final int WNOHANG = 1, WUNTRACED = 2, WEXITED = 4, WCONTINUED = 8, WNOWAIT = 0x1000000;

    private final Kernel kernel;
    private final SigInfo info = new SigInfo();

    Processes(Kernel kernel) { this.kernel = kernel; }

    // ---------------------------------------------------------------- clone

    /**
     * clone(2) for the running task {@code parent}: returns the child's tid (as the parent's pid namespace numbers it)
     * or -errno. {@code tlsDesc} points at a user_desc for CLONE_SETTLS.
     */
    public int clone(Task parent, int flags, int newSp, int parentTid, int tlsDesc, int childTid) {
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) return -Errno.EINVAL;
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) return -Errno.EINVAL;
        int bad = NamespaceChanges.checkClone(parent, flags);
        if (bad < 0) return bad;
        // The child's identity: credentials (a new user namespace), namespaces (CLONE_NEW*, a copy of the file-system
        // context moved into a new mount namespace) and its numbers in every pid namespace that will see it.
        FsContext fs = (flags & CLONE_FS) != 0 ? parent.fs : parent.fs.copy();
        Credentials creds = parent.creds;
        Namespaces ns;
        Pid pid;
        try {
            if ((flags & NamespaceChanges.CLONE_NEWUSER) != 0) creds = NamespaceChanges.newUserNamespace(parent, creds);
            ns = NamespaceChanges.create(parent, parent.ns, flags, creds, fs);
            pid = ns.pidForChildren().allocate();
        } catch (popek.linux.abi.SyscallException e) {
            return -e.errno();
        }
        if ((flags & CLONE_VM) == 0) ns = NamespaceChanges.enterTimeForChildren(ns);
        int[] tls = parent.tls.clone();
        if ((flags & CLONE_SETTLS) != 0) {
            int r = ThreadArea.parse(parent.mem, UserMemory.u(tlsDesc), tls, true);
            if (r < 0) return r;
        }
        popek.cgroup.Cgroup cg = parent.group.cgroup;
        int charged = kernel.cgroups().charge(cg);   // pids.max: EAGAIN, here or in an ancestor
        if (charged < 0) return charged;
        MemoryManager mm;
        if ((flags & CLONE_VM) != 0) {
            mm = parent.mm;
            kernel.retainMm(mm);
        } else {
            mm = parent.mm.fork();
            if (mm == null) {
                kernel.cgroups().uncharge(cg);
                return -Errno.ENOMEM;
            }
        }
        Task child = kernel.newTask(pid);
        child.mm = mm;
        child.mem = (flags & CLONE_VM) != 0 ? parent.mem : new UserMemory(mm);
        child.fds = (flags & CLONE_FILES) != 0 ? kernel.shareFds(parent.fds) : kernel.newFds(parent.fds.copy());
        child.fs = (flags & CLONE_FS) != 0 ? fs.share() : fs;
        child.handlers = (flags & CLONE_SIGHAND) != 0 ? parent.handlers : parent.handlers.copy();
        child.creds = creds;
        child.ns = ns;
        child.name = parent.name;
        child.blocked = parent.blocked;
        System.arraycopy(tls, 0, child.tls, 0, tls.length);
        child.reloadSegments = (flags & CLONE_SETTLS) != 0;
        child.startNanos = kernel.clock().monotonic();
        if ((flags & CLONE_THREAD) != 0) {
            child.group = parent.group;
            child.entity.moveTo(parent.group.cgroup);   // the scheduler charges a thread where its process is
            parent.group.tasks.add(child);
            kernel.stats().threadsCreated++;
        } else {
            ThreadGroup g = new ThreadGroup(pid, child.startNanos);
            g.leader = child;
            g.tasks.add(child);
            g.parent = (flags & CLONE_PARENT) != 0 && parent.group.parent != null ? parent.group.parent : parent.group;
            g.parent.children.add(g);
            g.exitSignal = flags & 0xFF;
            g.processGroup = parent.group.processGroup;
            g.processGroup.members.add(g);
            System.arraycopy(parent.group.rlimitSoft, 0, g.rlimitSoft, 0, Limits.COUNT);
            System.arraycopy(parent.group.rlimitHard, 0, g.rlimitHard, 0, Limits.COUNT);
            g.executable = parent.group.executable;
            g.argv = parent.group.argv;
            g.envp = parent.group.envp;
            g.cgroup = cg;
            child.group = g;
            child.entity.moveTo(cg);
            PidNamespace.addGroup(g);
            if (pid.own() == 1) {   // the first process of a new pid namespace: its init
                pid.namespace().setInit(g);
                g.unkillable = true;
            }
            kernel.stats().processesCreated++;
        }
        kernel.cgroups().joined(child, cg);
        PidNamespace.add(child);
        // Registers: the parent's, with 0 returned and the new stack if one was given.
        parent.cpu.save(child.state);
        child.state.set(RegisterFile.EAX, 0);
        if (newSp != 0) child.state.set(RegisterFile.ESP, newSp);
        int seen = pid.nr(parent.pidNamespace());   // the child as its parent's namespace numbers it
        if ((flags & CLONE_PARENT_SETTID) != 0) parent.mem.writeInt(UserMemory.u(parentTid), seen);
        if ((flags & CLONE_CHILD_SETTID) != 0) child.mem.writeInt(UserMemory.u(childTid), pid.own());
        if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = childTid;
        if ((flags & CLONE_VFORK) != 0) child.vforkParent = parent;
        kernel.scheduler().wake(child);
        return seen;
    }

    // ---------------------------------------------------------------- exit

    /** exit and exit_group for the running task: it never returns to its code. */
    public int exit(Task t, int status, boolean group) {
        if (group) kernel.signals().groupExit(t.group, status);
        exitTask(t, status, group);
        return Syscall.NO_RESULT;
    }

    /**
     * Ends thread {@code t} ({@code status}: a wait status; {@code group}: the whole process is going, so its status
     * is the group's). Called on the task's own CPU thread; the task never runs again.
     */
    public void exitTask(Task t, int status, boolean group) {
        if (t.runState == Task.State.DEAD) return;
        ThreadGroup g = t.group;
        t.runState = Task.State.DEAD;
        t.exitCode = status;
        t.stopWaiting();
        kernel.scheduler().dequeue(t);
        if (t.clearChildTid != 0 && t.mm != null) {
            try {
                t.mem.writeInt(UserMemory.u(t.clearChildTid), 0);
                kernel.futexes().wake(t, UserMemory.u(t.clearChildTid), 1, -1, false);
            } catch (popek.linux.abi.SyscallException ignored) {
                // an unmapped tid word: nothing to clear, as on Linux
            }
        }
        releaseVfork(t);
        kernel.cgroups().exited(t);
        if (t.mm != null) {
            kernel.releaseMm(t.mm);
            t.mm = null;
        }
        kernel.releaseFds(t.fds);
        if (t.fs != null) t.fs.release();
        if (t.cpu == null) kernel.recycleSnapshot(t.state);   // else the Worker gives it back once off the CPU
        g.tasks.remove(t);
        if (t != g.leader) {
            PidNamespace.remove(t);
            kernel.cgroups().released(g);
        }
        if (!g.tasks.isEmpty()) return;
        // The last thread: the process is a zombie until its parent reaps it.
        g.waitStatus = g.exiting ? g.groupExitStatus : status;
        g.zombie = true;
        kernel.vfs().processExited(g.tgid);
        PidNamespace ns = g.pid.namespace();
        boolean init = ns.init() == g;
        if (init) namespaceInitExited(ns, g);
        for (ThreadGroup c : java.util.List.copyOf(g.children)) reparent(c, g);
        Session session = g.session();
        if (session.sid == g.tgid && session.controllingTerminal instanceof ControllingTerminal tty) {
            tty.sessionLeaderExited(session);
        }
        if (g.parent == null && ns.parent() != null) reap(g);   // an orphan of an ended init: nobody is left to wait for it
        else if (init && !othersGone(ns, g)) ns.setInitAwaitingEmpty(g);   // its parent hears of it once the rest are gone
        else tellParent(g);
        for (PidNamespace n = ns; n != null; n = n.parent()) {
            ThreadGroup waiting = n.initAwaitingEmpty();
            if (waiting != null && waiting != g && othersGone(n, waiting)) {
                n.setInitAwaitingEmpty(null);
                tellParent(waiting);
            }
        }
    }

    /**
     * The init of {@code ns} ended (zap_pid_ns_processes): no process can be made in it any more and every other
     * process it sees is killed. The root namespace's init is the container's first process.
     */
    private void namespaceInitExited(PidNamespace ns, ThreadGroup init) {
        ns.close();
        for (ThreadGroup o : ns.threadGroups()) if (o != init && !o.zombie) kernel.signals().groupExit(o, Signals.SIGKILL);
        if (ns.parent() == null) kernel.firstProcessEnded();
    }

    /** True when every process {@code ns} sees but {@code init} has ended. */
    private static boolean othersGone(PidNamespace ns, ThreadGroup init) {
        for (ThreadGroup o : ns.threadGroups()) if (o != init && !o.zombie) return false;
        return true;
    }

    /** The zombie {@code g}'s parent learns that it ended (SIGCHLD, a wait), or it is reaped at once if the parent asked for that. */
    private void tellParent(ThreadGroup g) {
        ThreadGroup parent = g.parent;
        if (parent == null) return;
        SignalHandlers ph = parent.leader != null ? parent.leader.handlers : null;
        boolean autoReap = g.exitSignal == Signals.SIGCHLD && ph != null
                && (ph.get(Signals.SIGCHLD).isIgnore() || (ph.get(Signals.SIGCHLD).flags & Signals.SA_NOCLDWAIT) != 0);
        if (g.exitSignal != 0) notifyParent(g, (g.waitStatus & 0x7F) == 0 ? Signals.CLD_EXITED
                : (g.waitStatus & 0x80) != 0 ? Signals.CLD_DUMPED : Signals.CLD_KILLED, g.exitSignal);
        if (autoReap) reap(g);
        else parent.childEvents.notify(Events.ALL);
    }

    private void releaseVfork(Task t) {
        Task p = t.vforkParent;
        if (p == null) return;
        t.vforkParent = null;
        p.vforkDone = true;
        if (p.runState == Task.State.SLEEPING) kernel.scheduler().wake(p);
    }

    /** execve succeeded: a vfork parent may go on. */
    void execed(Task t) { releaseVfork(t); }

    /**
     * A child whose parent ended goes to the reaper: the init of its parent's pid namespace, which can wait for it;
     * with none left (the init itself ended) it is reaped as soon as it ends.
     */
    private void reparent(ThreadGroup child, ThreadGroup from) {
        from.children.remove(child);
        ThreadGroup reaper = from.pid.namespace().init();
        if (reaper == null || reaper == from || reaper.zombie) {
            child.parent = null;
            if (child.zombie) reap(child);
            return;
        }
        child.parent = reaper;
        reaper.children.add(child);
        if (child.zombie) reaper.childEvents.notify(Events.ALL);
    }

    /** Tells {@code g}'s parent that it exited, stopped or continued ({@code code}: CLD_*) with {@code sig}. */
    void notifyParent(ThreadGroup g, int code, int sig) {
        ThreadGroup parent = g.parent;
        if (parent == null) return;
        if (code == Signals.CLD_STOPPED || code == Signals.CLD_CONTINUED) {
            SignalHandlers ph = parent.leader != null ? parent.leader.handlers : null;
            if (ph != null && (ph.get(Signals.SIGCHLD).flags & Signals.SA_NOCLDSTOP) != 0) {
                parent.childEvents.notify(Events.ALL);
                return;
            }
        }
        info.clear();
        info.signo = code == Signals.CLD_EXITED || code == Signals.CLD_KILLED || code == Signals.CLD_DUMPED ? g.exitSignal : Signals.SIGCHLD;
        info.code = code;
        info.pid = g.pid.nr(parent.pid.namespace());
        info.status = code == Signals.CLD_EXITED ? (g.waitStatus >> 8) & 0xFF : code == Signals.CLD_STOPPED ? g.stopSignal
                : code == Signals.CLD_CONTINUED ? Signals.SIGCONT : g.waitStatus & 0x7F;
        if (info.signo != 0) kernel.signals().sendToGroup(parent, info);
        parent.childEvents.notify(Events.ALL);
    }

    /** Frees a zombie's id and forgets it. */
    private void reap(ThreadGroup g) {
        if (g.parent != null) {
            g.parent.children.remove(g);
            g.parent.childrenUserNanos += g.userNanos() + g.childrenUserNanos;
        }
        g.processGroup.members.remove(g);
        if (g.processGroup.members.isEmpty()) PidNamespace.removeProcessGroup(g.processGroup);
        PidNamespace.removeGroup(g);
        if (g.leader != null) PidNamespace.remove(g.leader);
        kernel.cgroups().released(g);
    }

    // ---------------------------------------------------------------- wait

    /**
     * wait4's search: the first child of {@code t}'s process matching {@code pid} (as wait4 reads it) with something to
     * report; writes the status, reaps a zombie (unless WNOWAIT). Returns its pid, 0 (WNOHANG and nothing yet),
     * -ECHILD, or {@link Syscall#BLOCK}.
     */
    public int wait(Task t, int pid, int options, long statusAddr, long rusageAddr) {
        return wait(t, pid, options, statusAddr, 0, rusageAddr);
    }

    /**
     * waitid's search, as wait4's ({@code pid} as wait4 reads it), the report written as waitid writes it into the
     * siginfo at {@code infoAddr}: si_signo SIGCHLD, si_code CLD_*, si_pid, si_uid, si_status (with WNOHANG and
     * nothing to report, those six fields zero). Returns 0, -ECHILD, or {@link Syscall#BLOCK}.
     */
    public int waitid(Task t, int pid, int options, long infoAddr, long rusageAddr) {
        int r = wait(t, pid, options, 0, infoAddr, rusageAddr);
        if (r == 0 && infoAddr != 0) writeWaitInfo(t, infoAddr, 0, 0, 0, 0, 0);
        return r > 0 ? 0 : r;
    }

    private int wait(Task t, int pid, int options, long statusAddr, long infoAddr, long rusageAddr) {
        ThreadGroup me = t.group;
        PidNamespace mine = t.pidNamespace();
        boolean any = false;
        for (ThreadGroup c : java.util.List.copyOf(me.children)) {
            if (!matches(c, pid, me, mine)) continue;
            int cpid = c.pid.nr(mine), cuid = uidOf(c, t);
            any = true;
            int status;
            if (c.zombie && (options & WEXITED) != 0 && c.pid.namespace().initAwaitingEmpty() != c) {
                status = c.waitStatus;
                if (statusAddr != 0) t.mem.writeInt(statusAddr, status);
                if (infoAddr != 0) {
                    int code = (status & 0x7F) == 0 ? Signals.CLD_EXITED : (status & 0x80) != 0 ? Signals.CLD_DUMPED : Signals.CLD_KILLED;
                    writeWaitInfo(t, infoAddr, Signals.SIGCHLD, code, cpid, cuid, code == Signals.CLD_EXITED ? (status >> 8) & 0xFF : status & 0x7F);
                }
                if (rusageAddr != 0) Rusage.write(t.mem, rusageAddr, c.userNanos() + c.childrenUserNanos, 0);
                if ((options & WNOWAIT) == 0) reap(c);
                return cpid;
            }
            if (c.stopped && !c.stopReported && (options & WUNTRACED) != 0) {
                if ((options & WNOWAIT) == 0) c.stopReported = true;
                if (statusAddr != 0) t.mem.writeInt(statusAddr, (c.stopSignal << 8) | 0x7F);
                if (infoAddr != 0) writeWaitInfo(t, infoAddr, Signals.SIGCHLD, Signals.CLD_STOPPED, cpid, cuid, c.stopSignal);
                if (rusageAddr != 0) Rusage.write(t.mem, rusageAddr, c.userNanos(), 0);
                return cpid;
            }
            if (c.continuedReport && (options & WCONTINUED) != 0) {
                if ((options & WNOWAIT) == 0) c.continuedReport = false;
                if (statusAddr != 0) t.mem.writeInt(statusAddr, 0xFFFF);
                if (infoAddr != 0) writeWaitInfo(t, infoAddr, Signals.SIGCHLD, Signals.CLD_CONTINUED, cpid, cuid, Signals.SIGCONT);
                if (rusageAddr != 0) Rusage.write(t.mem, rusageAddr, c.userNanos(), 0);
                return cpid;
            }
        }
        if (!any) return -Errno.ECHILD;
        if ((options & WNOHANG) != 0) return 0;
        if (t.signalPending()) return -Errno.ERESTARTSYS;
        return t.block(me.childEvents, Events.ALL);
    }

    /** The child's real uid (its leader's; 0 once no task is left to ask), as the waiter's user namespace names it. */
    private static int uidOf(ThreadGroup c, Task waiter) {
        int kuid = c.leader != null && c.leader.creds != null ? c.leader.creds.uid() : 0;
        return waiter.creds.userNs().uidSeen(kuid);
    }

    /** The six siginfo fields waitid writes (Linux leaves the rest of the caller's siginfo as it was). */
    private static void writeWaitInfo(Task t, long at, int signo, int code, int pid, int uid, int status) {
        t.mem.writeInt(at, signo);
        t.mem.writeInt(at + 4, 0);
        t.mem.writeInt(at + 8, code);
        t.mem.writeInt(at + 12, pid);
        t.mem.writeInt(at + 16, uid);
        t.mem.writeInt(at + 20, status);
    }

    /** Whether child {@code c} is one wait's {@code pid} names (numbers as the waiter's namespace {@code ns} has them). */
    private static boolean matches(ThreadGroup c, int pid, ThreadGroup me, PidNamespace ns) {
        if (pid > 0) return c.pid.nr(ns) == pid;
        if (pid == -1) return true;
        if (pid == 0) return c.processGroup == me.processGroup;
        return pid != Integer.MIN_VALUE && c.processGroup.pid.nr(ns) == -pid;
    }

    /** execve in a threaded process: every other thread ends at once (the exec'ing thread carries on alone). */
    void killOtherThreads(Task t) {
        for (Task o : java.util.List.copyOf(t.group.tasks)) {
            if (o != t) {
                o.dying = true;
                exitTask(o, 0, false);
                kernel.futexes().forget(o);
            }
        }
    }

    // ---------------------------------------------------------------- TLS

    /** set_thread_area(u_info): the descriptor into the task's TLS entries and this CPU's GDT. */
    public int setThreadArea(Task t, long uinfo) {
        int r = ThreadArea.parse(t.mem, uinfo, t.tls, false);
        if (r == 0) t.tlsChanged(false);
        return r;
    }

    /** get_thread_area(u_info). */
    public int getThreadArea(Task t, long uinfo) { return ThreadArea.describe(t.mem, uinfo, t.tls); }

    // ---------------------------------------------------------------- process groups and sessions

    /**
     * setpgid(pid, pgid): moves a process (the caller or a child of it in its session) into a process group; both
     * numbers as the caller's pid namespace has them.
     */
    public int setpgid(Task t, int pid, int pgid) {
        if (pgid < 0) return -Errno.EINVAL;
        PidNamespace ns = t.pidNamespace();
        ThreadGroup g = pid == 0 ? t.group : ns.threadGroup(pid);
        if (g == null || (g != t.group && g.parent != t.group)) return -Errno.ESRCH;
        Session s = t.group.session();
        if (g.session() != s) return -Errno.EPERM;
        if (g.session().sid == g.tgid) return -Errno.EPERM;   // a session leader stays where it is
        int own = g.pid.nr(ns);
        int target = pgid == 0 ? own : pgid;
        ProcessGroup to = ns.processGroup(target);
        if (to == null) {
            if (target != own) return -Errno.EPERM;
            to = new ProcessGroup(g.pid, s);
            PidNamespace.addProcessGroup(to);
        } else if (to.session != s) {
            return -Errno.EPERM;
        }
        move(g, to);
        return 0;
    }

    /** setsid(): a new session and process group led by the caller (EPERM if it already leads a group); returns its id. */
    public int setsid(Task t) {
        ThreadGroup g = t.group;
        if (kernel.pids().processGroup(g.tgid) != null) return -Errno.EPERM;
        Session s = new Session(g.pid);
        PidNamespace.addSession(s);
        ProcessGroup pg = new ProcessGroup(g.pid, s);
        PidNamespace.addProcessGroup(pg);
        move(g, pg);
        return g.pid.own();
    }

    private void move(ThreadGroup g, ProcessGroup to) {
        ProcessGroup from = g.processGroup;
        if (from == to) return;
        from.members.remove(g);
        if (from.members.isEmpty()) PidNamespace.removeProcessGroup(from);
        to.members.add(g);
        g.processGroup = to;
    }

    // ---------------------------------------------------------------- failures

    /** Kills {@code t}'s process after something a program cannot cause went wrong with it; says why on stderr. */
    public void crash(Task t, String why) {
        kernel.log("popek: process " + t.tgid() + " (" + t.name + ") killed: " + why);
        kernel.signals().groupExit(t.group, Signals.SIGKILL);
        exitTask(t, Signals.SIGKILL, true);
    }
}
