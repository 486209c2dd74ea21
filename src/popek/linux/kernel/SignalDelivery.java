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

    /** A signal for one thread (tkill, tgkill, a fault). */
    public void sendToTask(Task t, SigInfo info) {
        if (t.runState == Task.State.DEAD || info.signo == 0) return;
        ThreadGroup g = t.group;
        if (!prepare(g, info.signo)) return;
        if (t.pending.add(info) || info.signo >= Signals.SIGRTMIN) wakeFor(t, info.signo);
    }

    /** A signal for a whole process (kill, the terminal, SIGCHLD): whichever of its threads does not block it takes it. */
    public void sendToGroup(ThreadGroup g, SigInfo info) {
        if (g.zombie || info.signo == 0) return;
        if (!prepare(g, info.signo)) return;
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
        t.pending.add(info);
    }

    /** Job control and ignoring: false when the signal is discarded at once. */
    private boolean prepare(ThreadGroup g, int sig) {
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
