package popek.linux.kernel;

import popek.engine.RegisterFile;
import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.platform.Cpu;

/**
 * Sending and delivering signals (kernel/signal.c's job): queueing a signal on a thread or a process and waking a task
 * that can take it; job control (stop and continue a whole process); and, when a task returns to its code, taking
 * its next deliverable signal: the default action (terminate, dump, stop, continue, ignore) or a handler frame, with
 * the restart of an interrupted system call as SA_RESTART says.
 */
public final class SignalDelivery {
    private final Kernel kernel;
    private final SigInfo taken = new SigInfo();

    SignalDelivery(Kernel kernel) { this.kernel = kernel; }

    // ---------------------------------------------------------------- sending

    /** A signal the kernel sends one thread (a timer, the terminal). */
    public void sendToTask(Task t, SigInfo info) { sendToTask(t, info, true); }

    private void sendToTask(Task t, SigInfo info, boolean force) {
        if (t.runState == Task.State.DEAD || info.signo == 0) return;
        ThreadGroup g = t.group;
        if (!prepare(g, info.signo, force)) return;
        if (t.pending.add(info) || info.signo >= Signals.SIGRTMIN) wakeFor(t, info.signo);
    }

    /** A signal the kernel sends a whole process (the terminal, SIGCHLD): whichever of its threads does not block it takes it. */
    public void sendToGroup(ThreadGroup g, SigInfo info) { sendToGroup(g, info, true); }

    private void sendToGroup(ThreadGroup g, SigInfo info, boolean force) {
        if (g.zombie || info.signo == 0) return;
        if (!prepare(g, info.signo, force)) return;
        g.sharedPending.add(info);
        Task pick = null;
        for (Task t : g.tasks) {
            if ((t.blocked & Signals.bit(info.signo)) == 0) {
                pick = t;
                break;
            }
        }
        if (pick != null) wakeFor(pick, info.signo);
    }

    /**
     * A fault's signal: it cannot be blocked or ignored (if it is, it becomes unblocked and its action the default,
     * as force_sig does), so a program that faults inside its own handler for that fault dies.
     */
    void force(Task t, SigInfo info) {
        SigAction a = t.handlers.get(info.signo);
        long bit = Signals.bit(info.signo);
        if ((t.blocked & bit) != 0 || a.isIgnore()) {
            a.handler = Signals.SIG_DFL;
            t.blocked &= ~bit;
        }
        if (a.isDefault()) t.group.unkillable = false;   // a faulting init dies of it, as Linux's force_sig_info
        t.pending.add(info);
    }

    // ---------------------------------------------------------------- kill(2) and tgkill(2)

    /**
     * kill(2) from task {@code from} to process {@code g} (or, with {@code thread}, tkill to that thread of it):
     * -EPERM unless Linux's check_kill_permission allows it, else 0 with the signal sent (signal 0 sends nothing).
     * The siginfo names the sender as the receiver's namespaces can: its pid (0 from an ancestor pid namespace, whose
     * SIGKILL and SIGSTOP then reach even an init) and its uid.
     */
    public int kill(Task from, ThreadGroup g, Task thread, int sig, int code) {
        Task target = thread != null ? thread : liveThread(g);
        if (target == null) return 0;   // a zombie: nothing to signal, and no error
        if (!mayKill(from, target, sig)) return -Errno.EPERM;
        if (sig == 0) return 0;
        SigInfo info = new SigInfo();
        info.signo = sig;
        info.code = code;
        int seen = from.group.pid.nr(g.pid.namespace());
        boolean fromAncestor = seen == 0;
        info.pid = fromAncestor ? 0 : from.group.pid.own();
        info.uid = target.creds.userNs().uidSeen(from.creds.uid());
        if (thread != null) sendToTask(thread, info, fromAncestor);
        else sendToGroup(g, info, fromAncestor);
        return 0;
    }

    private static Task liveThread(ThreadGroup g) {
        if (g.zombie) return null;
        if (g.leader != null && g.leader.runState != Task.State.DEAD) return g.leader;
        for (Task t : g.tasks) if (t.runState != Task.State.DEAD) return t;
        return null;
    }

    /**
     * check_kill_permission: the same process; a sender whose real or effective uid is the target's real or saved
     * uid; one with CAP_KILL in the target's user namespace; or SIGCONT within the session.
     */
    private static boolean mayKill(Task from, Task target, int sig) {
        if (from.group == target.group) return true;
        var c = from.creds;
        var tc = target.creds;
        if (c.euid() == tc.suid() || c.euid() == tc.uid() || c.uid() == tc.suid() || c.uid() == tc.uid()) return true;
        if (c.capable(tc.userNs())) return true;
        return sig == Signals.SIGCONT && from.group.session() == target.group.session();
    }

    /**
     * Job control and ignoring: false when the signal is discarded at once. An init (of any pid namespace) drops a
     * signal it has no handler for unless it is SIGKILL or SIGSTOP sent with {@code force} (from the kernel, or from an
     * ancestor namespace), as Linux's sig_task_ignored does for SIGNAL_UNKILLABLE.
     */
    private boolean prepare(ThreadGroup g, int sig, boolean force) {
        if (sig == Signals.SIGKILL && initIgnores(g, sig, force)) return false;
        if (sig == Signals.SIGKILL) {
            groupExit(g, Signals.SIGKILL);
            return false;
        }
        if (sig == Signals.SIGCONT) {
            for (int s : new int[] {Signals.SIGSTOP, Signals.SIGTSTP, Signals.SIGTTIN, Signals.SIGTTOU}) {
                g.sharedPending.discard(s);
                for (Task t : g.tasks) t.pending.discard(s);
            }
            if (g.stopped) {
                g.stopped = false;
                g.continuedReport = true;
                kernel.processes().notifyParent(g, Signals.CLD_CONTINUED, Signals.SIGCONT);
                for (Task t : g.tasks) if (t.runState == Task.State.STOPPED) kernel.scheduler().wake(t);
            }
        } else if (Signals.defaultAction(sig) == Signals.Default.STOP) {
            g.sharedPending.discard(Signals.SIGCONT);
            for (Task t : g.tasks) t.pending.discard(Signals.SIGCONT);
        }
        if (initIgnores(g, sig, force)) return false;   // after SIGCONT has continued it, as Linux's prepare_signal
        // A signal whose action is to ignore it is dropped now (unless a thread blocks it: it may be unblocked
        // after the action changes).
        SignalHandlers h = g.leader != null ? g.leader.handlers : null;
        if (h != null && h.ignores(sig)) {
            boolean blockedSomewhere = false;
            for (Task t : g.tasks) blockedSomewhere |= (t.blocked & Signals.bit(sig)) != 0;
            if (!blockedSomewhere) return false;
        }
        return true;
    }

    /** An init drops what it has no handler for (and does not block), but SIGKILL and SIGSTOP sent with {@code force}. */
    private static boolean initIgnores(ThreadGroup g, int sig, boolean force) {
        return g.unkillable && g.leader != null && g.leader.handlers != null && (g.leader.blocked & Signals.bit(sig)) == 0
                && g.leader.handlers.get(sig).isDefault()
                && !(force && (sig == Signals.SIGKILL || sig == Signals.SIGSTOP));
    }

    private void wakeFor(Task t, int sig) {
        if ((t.blocked & Signals.bit(sig)) != 0 && sig != Signals.SIGKILL && (t.sigwaitSet & Signals.bit(sig)) == 0) return;
        if (t.runState == Task.State.SLEEPING) kernel.scheduler().wake(t);
        else if (t.runState == Task.State.RUNNING && t.cpu != null) t.reschedule = true;
    }

    /** Makes every thread of {@code g} leave with {@code status} (a wait status: a signal number, or exit code << 8). */
    void groupExit(ThreadGroup g, int status) {
        if (g.exiting) return;
        g.exiting = true;
        g.groupExitStatus = status;
        g.stopped = false;
        for (Task t : g.tasks) {
            t.dying = true;
            if (t.runState == Task.State.SLEEPING || t.runState == Task.State.STOPPED) {
                t.runState = Task.State.SLEEPING;
                kernel.scheduler().wake(t);
            } else if (t.runState == Task.State.RUNNING) {
                t.reschedule = true;
            }
        }
    }

    // ---------------------------------------------------------------- delivering

    /**
     * Delivers what is pending for {@code t}, which is on {@code cpu} and about to run its code; {@code syscallResult}
     * is the result of the call it returns from (0 after a fault or a preemption). May kill or stop the task (its
     * run state says so afterwards).
     */
    void deliver(Task t, Cpu cpu, int syscallResult) {
        ThreadGroup g = t.group;
        boolean handled = false;
        while (!handled) {
            if (t.dying) {
                kernel.processes().exitTask(t, g.groupExitStatus, true);
                return;
            }
            if (g.stopped) {
                t.runState = Task.State.STOPPED;
                return;
            }
            int sig = next(t);
            if (sig == 0) break;
            SigAction act = t.handlers.get(sig);
            if (act.isIgnore()) continue;
            if (act.isDefault()) {
                // An init takes no default action but SIGKILL's and SIGSTOP's, which only the kernel or an ancestor namespace could send it.
                if (g.unkillable && sig != Signals.SIGKILL && sig != Signals.SIGSTOP) continue;
                switch (Signals.defaultAction(sig)) {
                    case IGNORE, CONTINUE -> { continue; }
                    case STOP -> {
                        stop(g, sig);
                        t.runState = Task.State.STOPPED;
                        restartIfInterrupted(t, cpu, syscallResult);
                        return;
                    }
                    case CORE -> {
                        groupExit(g, sig | 0x80);
                        continue;
                    }
                    default -> {
                        groupExit(g, sig);
                        continue;
                    }
                }
            }
            // A handler: settle the interrupted call, then build the frame.
            RegisterFile r = cpu.regs();
            switch (-syscallResult) {
                case Errno.ERESTARTNOHAND, Errno.ERESTART_RESTARTBLOCK -> r.set(RegisterFile.EAX, -Errno.EINTR);
                case Errno.ERESTARTSYS -> {
                    if ((act.flags & Signals.SA_RESTART) != 0) restart(t, cpu);
                    else r.set(RegisterFile.EAX, -Errno.EINTR);
                }
                case Errno.ERESTARTNOINTR -> restart(t, cpu);
                default -> { }
            }
            syscallResult = 0;
            long oldMask = t.restoreMaskAfterHandler ? t.savedMask : t.blocked;
            t.restoreMaskAfterHandler = false;
            if (!SignalFrames.setup(t, cpu, sig, act, taken, oldMask)) {
                taken.clear();
                taken.signo = Signals.SIGSEGV;
                taken.code = Signals.SI_KERNEL;
                force(t, taken);
                t.handlers.get(Signals.SIGSEGV).handler = Signals.SIG_DFL;
                continue;
            }
            long add = act.mask | ((act.flags & Signals.SA_NODEFER) != 0 ? 0 : Signals.bit(sig));
            t.setBlockedSignals(t.blocked | add);
            if ((act.flags & Signals.SA_RESETHAND) != 0) act.handler = Signals.SIG_DFL;
            kernel.stats().signalsDelivered++;
            handled = true;
        }
        if (!handled) {
            restartIfInterrupted(t, cpu, syscallResult);
            if (t.restoreMaskAfterHandler && !t.signalPending()) {
                t.restoreMaskAfterHandler = false;
                t.setBlockedSignals(t.savedMask);
            }
        }
    }

    /** A call interrupted by a signal no handler took (ignored, or a stop) starts again when the task resumes. */
    private void restartIfInterrupted(Task t, Cpu cpu, int syscallResult) {
        switch (-syscallResult) {
            case Errno.ERESTARTSYS, Errno.ERESTARTNOINTR, Errno.ERESTARTNOHAND, Errno.ERESTART_RESTARTBLOCK -> restart(t, cpu);
            default -> { }
        }
    }

    /** Backs the task up to its {@code int 0x80} with the call's number in EAX, so the call is made again. */
    private static void restart(Task t, Cpu cpu) {
        cpu.regs().set(RegisterFile.EAX, t.args.nr);
        cpu.regs().setEip(cpu.regs().eip() - 2);
    }

    /** The next deliverable signal (thread-directed first, lowest number first), taken into {@link #taken}; 0 if none. */
    private int next(Task t) {
        long mine = t.pending.set() & ~t.blocked;
        if (mine != 0) {
            int sig = pick(mine);
            t.pending.take(sig, taken);
            return sig;
        }
        long shared = t.group.sharedPending.set() & ~t.blocked;
        if (shared != 0) {
            int sig = pick(shared);
            t.group.sharedPending.take(sig, taken);
            return sig;
        }
        return 0;
    }

    /** Linux takes the synchronous (fault) signals first, then the lowest number. */
    private static int pick(long set) {
        long sync = set & (Signals.bit(Signals.SIGSEGV) | Signals.bit(Signals.SIGBUS) | Signals.bit(Signals.SIGILL)
                | Signals.bit(Signals.SIGTRAP) | Signals.bit(Signals.SIGFPE) | Signals.bit(Signals.SIGSYS));
        long from = sync != 0 ? sync : set;
        return Long.numberOfTrailingZeros(from) + 1;
    }

    private void stop(ThreadGroup g, int sig) {
        if (g.stopped) return;
        g.stopped = true;
        g.stopSignal = sig;
        g.stopReported = false;
        for (Task o : g.tasks) if (o.runState == Task.State.RUNNING || o.runState == Task.State.RUNNABLE) o.reschedule = true;
        kernel.processes().notifyParent(g, Signals.CLD_STOPPED, sig);
    }

    /**
     * rt_sigtimedwait's take: a pending signal of {@code set} (blocked or not), thread-directed first, into {@code into};
     * 0 when none (the caller then sleeps, woken by signals of {@code set} though it blocks them).
     */
    public int take(Task t, long set, SigInfo into) {
        long mine = t.pending.set() & set;
        if (mine != 0) {
            int sig = Long.numberOfTrailingZeros(mine) + 1;
            t.pending.take(sig, into);
            t.sigwaitSet = 0;
            return sig;
        }
        long shared = t.group.sharedPending.set() & set;
        if (shared != 0) {
            int sig = Long.numberOfTrailingZeros(shared) + 1;
            t.group.sharedPending.take(sig, into);
            t.sigwaitSet = 0;
            return sig;
        }
        t.sigwaitSet = set;
        return 0;
    }

    /** Writes a siginfo as the program sees it (128 bytes). */
    public void writeInfo(popek.linux.mm.UserMemory m, long at, SigInfo info) { SignalFrames.writeInfo(m, at, info); }

    /** sigreturn and rt_sigreturn: the frame's registers and mask back; SIGSEGV for a bad frame. */
    public int sigreturn(Task t, boolean rt) {
        if (!SignalFrames.restore(t, t.cpu, rt)) {
            taken.clear();
            taken.signo = Signals.SIGSEGV;
            taken.code = Signals.SI_KERNEL;
            force(t, taken);
        }
        return Syscall.NO_RESULT;
    }
}
