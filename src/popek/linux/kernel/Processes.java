package popek.linux.kernel;

import popek.engine.RegisterFile;
import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.UserMemory;
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
     * clone(2) for the running task {@code parent}: returns the child's tid or -errno. {@code tlsDesc} points at a
     * user_desc for CLONE_SETTLS.
     */
    public int clone(Task parent, int flags, int newSp, int parentTid, int tlsDesc, int childTid) {
        if ((flags & CLONE_THREAD) != 0 && (flags & CLONE_SIGHAND) == 0) return -Errno.EINVAL;
        if ((flags & CLONE_SIGHAND) != 0 && (flags & CLONE_VM) == 0) return -Errno.EINVAL;
        int[] tls = parent.tls.clone();
        if ((flags & CLONE_SETTLS) != 0) {
            int r = ThreadArea.parse(parent.mem, UserMemory.u(tlsDesc), tls, true);
            if (r < 0) return r;
        }
        popek.cgroup.Cgroup cg = parent.group.cgroup;
        int charged = kernel.cgroups().charge(cg);   // pids.max: EAGAIN, here or in an ancestor
        if (charged < 0) return charged;
        int tid = kernel.pids().allocate();
        if (tid < 0) {
            kernel.cgroups().uncharge(cg);
            return -Errno.EAGAIN;
        }
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
        Task child = kernel.newTask(tid);
        child.mm = mm;
        child.mem = (flags & CLONE_VM) != 0 ? parent.mem : new UserMemory(mm);
        child.fds = (flags & CLONE_FILES) != 0 ? kernel.shareFds(parent.fds) : kernel.newFds(parent.fds.copy());
        child.fs = (flags & CLONE_FS) != 0 ? parent.fs : parent.fs.copy();
        child.handlers = (flags & CLONE_SIGHAND) != 0 ? parent.handlers : parent.handlers.copy();
        child.creds = parent.creds;
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
            ThreadGroup g = new ThreadGroup(tid, child.startNanos);
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
            kernel.pids().addGroup(g);
            kernel.stats().processesCreated++;
        }
        kernel.cgroups().joined(child, cg);
        kernel.pids().add(child);
        // Registers: the parent's, with 0 returned and the new stack if one was given.
        parent.cpu.save(child.state);
        child.state.set(RegisterFile.EAX, 0);
        if (newSp != 0) child.state.set(RegisterFile.ESP, newSp);
        if ((flags & CLONE_PARENT_SETTID) != 0) parent.mem.writeInt(UserMemory.u(parentTid), tid);
        if ((flags & CLONE_CHILD_SETTID) != 0) child.mem.writeInt(UserMemory.u(childTid), tid);
        if ((flags & CLONE_CHILD_CLEARTID) != 0) child.clearChildTid = childTid;
        if ((flags & CLONE_VFORK) != 0) child.vforkParent = parent;
        kernel.scheduler().wake(child);
        return tid;
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
        if (t.cpu == null) kernel.recycleSnapshot(t.state);   // else the Worker gives it back once off the CPU
        g.tasks.remove(t);
        if (t != g.leader) {
            kernel.pids().remove(t);
            kernel.cgroups().released(g);
        }
        if (!g.tasks.isEmpty()) return;
        // The last thread: the process is a zombie until its parent reaps it.
        g.waitStatus = g.exiting ? g.groupExitStatus : status;
        g.zombie = true;
        kernel.vfs().processExited(g.tgid);
        for (ThreadGroup c : java.util.List.copyOf(g.children)) reparent(c, g);
        Session session = g.session();
        if (session.sid == g.tgid && session.controllingTerminal instanceof ControllingTerminal tty) {
            tty.sessionLeaderExited(session);
        }
        ThreadGroup parent = g.parent;
        if (parent == null) {
            kernel.initExited(g);
            return;
        }
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

    /** A child whose parent ended goes to the reaper (the container's first process), which can wait for it. */
    private void reparent(ThreadGroup child, ThreadGroup from) {
        from.children.remove(child);
        ThreadGroup reaper = kernel.reaper();
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
        info.pid = g.tgid;
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
        if (g.processGroup.members.isEmpty()) {
            kernel.pids().removeProcessGroup(g.processGroup);
            if (g.processGroup.session.sid == g.processGroup.pgid) { /* the session lives while its id is a group's */ }
        }
        kernel.pids().removeGroup(g);
        if (g.leader != null) kernel.pids().remove(g.leader);
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
        boolean any = false;
        for (ThreadGroup c : java.util.List.copyOf(me.children)) {
            if (!matches(c, pid, me)) continue;
            any = true;
            int status;
            if (c.zombie && (options & WEXITED) != 0) {
                status = c.waitStatus;
                if (statusAddr != 0) t.mem.writeInt(statusAddr, status);
                if (infoAddr != 0) {
                    int code = (status & 0x7F) == 0 ? Signals.CLD_EXITED : (status & 0x80) != 0 ? Signals.CLD_DUMPED : Signals.CLD_KILLED;
                    writeWaitInfo(t, infoAddr, Signals.SIGCHLD, code, c.tgid, uidOf(c), code == Signals.CLD_EXITED ? (status >> 8) & 0xFF : status & 0x7F);
                }
                if (rusageAddr != 0) Rusage.write(t.mem, rusageAddr, c.userNanos() + c.childrenUserNanos, 0);
                if ((options & WNOWAIT) == 0) reap(c);
                return c.tgid;
            }
            if (c.stopped && !c.stopReported && (options & WUNTRACED) != 0) {
                if ((options & WNOWAIT) == 0) c.stopReported = true;
                if (statusAddr != 0) t.mem.writeInt(statusAddr, (c.stopSignal << 8) | 0x7F);
                if (infoAddr != 0) writeWaitInfo(t, infoAddr, Signals.SIGCHLD, Signals.CLD_STOPPED, c.tgid, uidOf(c), c.stopSignal);
                if (rusageAddr != 0) Rusage.write(t.mem, rusageAddr, c.userNanos(), 0);
                return c.tgid;
            }
            if (c.continuedReport && (options & WCONTINUED) != 0) {
                if ((options & WNOWAIT) == 0) c.continuedReport = false;
                if (statusAddr != 0) t.mem.writeInt(statusAddr, 0xFFFF);
                if (infoAddr != 0) writeWaitInfo(t, infoAddr, Signals.SIGCHLD, Signals.CLD_CONTINUED, c.tgid, uidOf(c), Signals.SIGCONT);
                if (rusageAddr != 0) Rusage.write(t.mem, rusageAddr, c.userNanos(), 0);
                return c.tgid;
            }
        }
        if (!any) return -Errno.ECHILD;
        if ((options & WNOHANG) != 0) return 0;
        if (t.signalPending()) return -Errno.ERESTARTSYS;
        return t.block(me.childEvents, Events.ALL);
    }

    /** The child's real uid (its leader's; 0 once no task is left to ask). */
    private static int uidOf(ThreadGroup c) { return c.leader != null && c.leader.creds != null ? c.leader.creds.uid() : 0; }

    /** The six siginfo fields waitid writes (Linux leaves the rest of the caller's siginfo as it was). */
    private static void writeWaitInfo(Task t, long at, int signo, int code, int pid, int uid, int status) {
        t.mem.writeInt(at, signo);
        t.mem.writeInt(at + 4, 0);
        t.mem.writeInt(at + 8, code);
        t.mem.writeInt(at + 12, pid);
        t.mem.writeInt(at + 16, uid);
        t.mem.writeInt(at + 20, status);
    }

    private static boolean matches(ThreadGroup c, int pid, ThreadGroup me) {
        if (pid > 0) return c.tgid == pid;
        if (pid == -1) return true;
        if (pid == 0) return c.processGroup == me.processGroup;
        return c.processGroup.pgid == -pid;
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

    /** setpgid(pid, pgid): moves a process (the caller or a child of it in its session) into a process group. */
    public int setpgid(Task t, int pid, int pgid) {
        if (pgid < 0) return -Errno.EINVAL;
        ThreadGroup g = pid == 0 ? t.group : kernel.pids().threadGroup(pid);
        if (g == null || (g != t.group && g.parent != t.group)) return -Errno.ESRCH;
        Session s = t.group.session();
        if (g.session() != s) return -Errno.EPERM;
        if (g.session().sid == g.tgid) return -Errno.EPERM;   // a session leader stays where it is
        int target = pgid == 0 ? g.tgid : pgid;
        ProcessGroup to = kernel.pids().processGroup(target);
        if (to == null) {
            if (target != g.tgid) return -Errno.EPERM;
            to = new ProcessGroup(target, s);
            kernel.pids().addProcessGroup(to);
        } else if (to.session != s) {
            return -Errno.EPERM;
        }
        move(g, to);
        return 0;
    }

    /** setsid(): a new session and process group led by the caller (EPERM if it already leads a group). */
    public int setsid(Task t) {
        ThreadGroup g = t.group;
        if (kernel.pids().processGroup(g.tgid) != null) return -Errno.EPERM;
        Session s = new Session(g.tgid);
        kernel.pids().addSession(s);
        ProcessGroup pg = new ProcessGroup(g.tgid, s);
        kernel.pids().addProcessGroup(pg);
        move(g, pg);
        return g.tgid;
    }

    private void move(ThreadGroup g, ProcessGroup to) {
        ProcessGroup from = g.processGroup;
        if (from == to) return;
        from.members.remove(g);
        if (from.members.isEmpty()) kernel.pids().removeProcessGroup(from);
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
