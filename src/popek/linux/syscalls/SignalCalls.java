package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.kernel.SigAction;
import popek.linux.kernel.PidNamespace;
import popek.linux.kernel.ProcessGroup;
import popek.linux.kernel.SigInfo;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.kernel.ThreadGroup;
import popek.linux.mm.UserMemory;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * Signals: actions (rt_sigaction and the old sigaction/signal), masks, sending (kill, tkill, tgkill), waiting
 * (rt_sigsuspend, pause, rt_sigtimedwait), the alternate stack, sigreturn, alarm and setitimer.
 */
final class SignalCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        t.register(RT_SIGACTION, this::rtSigaction);
        t.register(SIGACTION, this::sigaction);
        t.register(SIGNAL, this::signal);
        t.register(RT_SIGPROCMASK, this::rtSigprocmask);
        t.register(SIGPROCMASK, this::sigprocmask);
        t.register(RT_SIGPENDING, (task, a) -> pending(task, a.a0, 8));
        t.register(SIGPENDING, (task, a) -> pending(task, a.a0, 4));
        t.register(KILL, this::kill);
        t.register(TKILL, (task, a) -> tkill(task, 0, a.a0, a.a1));
        t.register(TGKILL, (task, a) -> tkill(task, a.a0, a.a1, a.a2));
        t.register(RT_SIGSUSPEND, this::rtSigsuspend);
        t.register(SIGSUSPEND, this::sigsuspend);
        t.register(PAUSE, (task, a) -> task.signalPending() ? -Errno.ERESTARTNOHAND : task.sleep());
        t.register(SIGALTSTACK, this::sigaltstack);
        t.register(SIGRETURN, (task, a) -> task.kernel().signals().sigreturn(task, false));
        t.register(RT_SIGRETURN, (task, a) -> task.kernel().signals().sigreturn(task, true));
        t.register(ALARM, this::alarm);
        t.register(SETITIMER, this::setitimer);
        t.register(GETITIMER, this::getitimer);
        t.register(RT_SIGTIMEDWAIT, this::rtSigtimedwait);
    }

    private static boolean valid(int sig) { return sig >= 1 && sig <= Signals.NSIG; }

    /** rt_sigaction(sig, act, oact, sigsetsize): struct sigaction {handler, flags, restorer, mask[2]}. */
    private int rtSigaction(Task t, SyscallArgs a) {
        if (a.a3 != 8) return -Errno.EINVAL;
        return action(t, a.a0, u(a.a1), u(a.a2), true);
    }

    /** The old sigaction: struct old_sigaction {handler, mask (32 bits), flags, restorer}. */
    private int sigaction(Task t, SyscallArgs a) { return action(t, a.a0, u(a.a1), u(a.a2), false); }

    private int action(Task t, int sig, long act, long oact, boolean rt) {
        if (!valid(sig)) return -Errno.EINVAL;
        UserMemory m = t.memory();
        SigAction cur = t.handlers().get(sig);
        int h = 0, fl = 0, rs = 0;
        long mask = 0;
        if (act != 0) {
            if (rt) {
                h = m.readInt(act);
                fl = m.readInt(act + 4);
                rs = m.readInt(act + 8);
                mask = m.readLong(act + 12);
            } else {
                h = m.readInt(act);
                mask = m.readInt(act + 4) & 0xFFFFFFFFL;
                fl = m.readInt(act + 8);
                rs = m.readInt(act + 12);
            }
            if (sig == Signals.SIGKILL || sig == Signals.SIGSTOP) return -Errno.EINVAL;
        }
        if (oact != 0) {
            if (rt) {
                m.writeInt(oact, cur.handler);
                m.writeInt(oact + 4, cur.flags);
                m.writeInt(oact + 8, cur.restorer);
                m.writeLong(oact + 12, cur.mask);
            } else {
                m.writeInt(oact, cur.handler);
                m.writeInt(oact + 4, (int) cur.mask);
                m.writeInt(oact + 8, cur.flags);
                m.writeInt(oact + 12, cur.restorer);
            }
        }
        if (act != 0) {
            cur.handler = h;
            cur.flags = fl;
            cur.restorer = rs;
            cur.mask = mask & ~Signals.UNBLOCKABLE;
            if (t.handlers().ignores(sig)) {   // pending instances of a now-ignored signal are discarded
                t.group().sharedPending().discard(sig);
                for (Task o : t.group().tasks()) o.pendingSignals().discard(sig);
            }
        }
        return 0;
    }

    /** signal(sig, handler): SysV semantics as Linux's sys_signal gives them (one-shot, no restart, no defer). */
    private int signal(Task t, SyscallArgs a) {
        if (!valid(a.a0) || a.a0 == Signals.SIGKILL || a.a0 == Signals.SIGSTOP) return -Errno.EINVAL;
        SigAction cur = t.handlers().get(a.a0);
        int old = cur.handler;
        cur.handler = a.a1;
        cur.flags = Signals.SA_RESETHAND | Signals.SA_NODEFER;
        cur.mask = 0;
        return old;
    }

    private int rtSigprocmask(Task t, SyscallArgs a) {
        if (a.a3 != 8) return -Errno.EINVAL;
        return procmask(t, a.a0, u(a.a1), u(a.a2), 8);
    }

    private int sigprocmask(Task t, SyscallArgs a) { return procmask(t, a.a0, u(a.a1), u(a.a2), 4); }

    private int procmask(Task t, int how, long set, long oset, int size) {
        UserMemory m = t.memory();
        long old = t.blockedSignals();
        if (set != 0) {
            long s = size == 8 ? m.readLong(set) : m.readInt(set) & 0xFFFFFFFFL;
            long now = switch (how) {
                case Signals.SIG_BLOCK -> old | s;
                case Signals.SIG_UNBLOCK -> old & ~s;
                case Signals.SIG_SETMASK -> size == 8 ? s : (old & 0xFFFFFFFF00000000L) | s;
                default -> -1;
            };
            if (how < 0 || how > 2) return -Errno.EINVAL;
            if (oset != 0) writeSet(m, oset, old, size);
            t.setBlockedSignals(now);
            return 0;
        }
        if (oset != 0) writeSet(m, oset, old, size);
        return 0;
    }

    private static void writeSet(UserMemory m, long at, long set, int size) {
        if (size == 8) m.writeLong(at, set);
        else m.writeInt(at, (int) set);
    }

    private int pending(Task t, int at, int size) {
        long p = (t.pendingSignals().set() | t.group().sharedPending().set()) & t.blockedSignals();
        writeSet(t.memory(), u(at), p, size);
        return 0;
    }

    /**
     * kill(pid, sig): a process, the caller's process group (0), every process it may signal but its namespace's init
     * and itself (-1), or a process group (-pgid); numbers as the caller's pid namespace has them. Linux's results:
     * ESRCH when nothing matched, else 0 if one signal went, else the last error (but EPERM never, for -1).
     */
    private int kill(Task t, SyscallArgs a) {
        int pid = a.a0, sig = a.a1;
        if (sig < 0 || sig > Signals.NSIG) return -Errno.EINVAL;
        var signals = t.kernel().signals();
        PidNamespace ns = t.pidNamespace();
        if (pid > 0) {
            ThreadGroup g = ns.threadGroup(pid);
            return g == null ? -Errno.ESRCH : signals.kill(t, g, null, sig, Signals.SI_USER);
        }
        if (pid == -1) {
            int count = 0, result = 0;
            for (ThreadGroup g : ns.threadGroups()) {
                if (g.tgid(ns) <= 1 || g == t.group()) continue;
                int r = signals.kill(t, g, null, sig, Signals.SI_USER);
                count++;
                if (r != -Errno.EPERM) result = r;
            }
            return count > 0 ? result : -Errno.ESRCH;
        }
        if (pid == Integer.MIN_VALUE) return -Errno.ESRCH;
        ProcessGroup pg = pid == 0 ? t.group().processGroup() : ns.processGroup(-pid);
        if (pg == null || pg.members().isEmpty()) return -Errno.ESRCH;
        boolean sent = false;
        int result = 0;
        for (ThreadGroup g : pg.members()) {
            result = signals.kill(t, g, null, sig, Signals.SI_USER);
            sent |= result == 0;
        }
        return sent ? 0 : result;
    }

    /** tkill and tgkill: one thread, by its number in the caller's pid namespace (and its process's, for tgkill). */
    private int tkill(Task t, int tgid, int tid, int sig) {
        if (sig < 0 || sig > Signals.NSIG || tid <= 0) return -Errno.EINVAL;
        PidNamespace ns = t.pidNamespace();
        Task target = ns.task(tid);
        if (target == null || target.runState() == Task.State.DEAD || (tgid > 0 && target.group().tgid(ns) != tgid)) return -Errno.ESRCH;
        return t.kernel().signals().kill(t, target.group(), target, sig, Signals.SI_TKILL);
    }

    private int rtSigsuspend(Task t, SyscallArgs a) {
        if (a.a1 != 8) return -Errno.EINVAL;
        return suspend(t, t.memory().readLong(u(a.a0)));
    }

    /** The old sigsuspend(int, int, old_sigset_t mask): the mask is the third argument. */
    private int sigsuspend(Task t, SyscallArgs a) {
        return suspend(t, (t.blockedSignals() & 0xFFFFFFFF00000000L) | (a.a2 & 0xFFFFFFFFL));
    }

    private int suspend(Task t, long mask) {
        if (!t.resumed()) t.setTemporaryMask(mask, t.blockedSignals());
        if (t.signalPending()) return -Errno.ERESTARTNOHAND;
        return t.sleep();
    }

    /** sigaltstack(ss, oss): stack_t {ss_sp, ss_flags, ss_size}. */
    private int sigaltstack(Task t, SyscallArgs a) {
        UserMemory m = t.memory();
        long esp = t.cpu().regs().get(popek.engine.RegisterFile.ESP) & 0xFFFFFFFFL;
        boolean on = t.altStackFlags() != Signals.SS_DISABLE && esp - (t.altStackSp() & 0xFFFFFFFFL) < (t.altStackSize() & 0xFFFFFFFFL);
        if (a.a1 != 0) {
            m.writeInt(u(a.a1), t.altStackSp());
            m.writeInt(u(a.a1) + 4, t.altStackFlags() == Signals.SS_DISABLE ? Signals.SS_DISABLE : on ? Signals.SS_ONSTACK : 0);
            m.writeInt(u(a.a1) + 8, t.altStackSize());
        }
        if (a.a0 != 0) {
            int sp = m.readInt(u(a.a0)), flags = m.readInt(u(a.a0) + 4), size = m.readInt(u(a.a0) + 8);
            if (on) return -Errno.EPERM;
            if (flags != 0 && flags != Signals.SS_DISABLE && flags != Signals.SS_ONSTACK) return -Errno.EINVAL;
            if (flags == Signals.SS_DISABLE) t.setAltStack(0, 0, Signals.SS_DISABLE);
            else {
                if (size < Signals.MINSIGSTKSZ) return -Errno.ENOMEM;
                t.setAltStack(sp, size, 0);
            }
        }
        return 0;
    }

    private int alarm(Task t, SyscallArgs a) {
        var timers = t.kernel().timers();
        long left = timers.remaining(t.group());
        long now = t.kernel().clock().monotonic();
        long secs = a.a0 & 0xFFFFFFFFL;
        timers.set(t.group(), secs == 0 ? Long.MAX_VALUE : now + secs * 1_000_000_000L, 0);
        return (int) ((left + 999_999_999L) / 1_000_000_000L);
    }

    /** setitimer(which, new, old): struct itimerval {interval, value} of timevals; ITIMER_REAL only. */
    private int setitimer(Task t, SyscallArgs a) {
        if (a.a0 != 0) return a.a0 == 1 || a.a0 == 2 ? 0 : -Errno.EINVAL;
        UserMemory m = t.memory();
        var timers = t.kernel().timers();
        if (a.a2 != 0) writeItimer(m, u(a.a2), timers.interval(t.group()), timers.remaining(t.group()));
        if (a.a1 != 0) {
            long interval = m.readInt(u(a.a1)) * 1_000_000_000L + m.readInt(u(a.a1) + 4) * 1000L;
            long value = m.readInt(u(a.a1) + 8) * 1_000_000_000L + m.readInt(u(a.a1) + 12) * 1000L;
            if (interval < 0 || value < 0) return -Errno.EINVAL;
            long now = t.kernel().clock().monotonic();
            timers.set(t.group(), value == 0 ? Long.MAX_VALUE : now + value, value == 0 ? 0 : interval);
        }
        return 0;
    }

    private int getitimer(Task t, SyscallArgs a) {
        if (a.a0 < 0 || a.a0 > 2) return -Errno.EINVAL;
        var timers = t.kernel().timers();
        if (a.a0 == 0) writeItimer(t.memory(), u(a.a1), timers.interval(t.group()), timers.remaining(t.group()));
        else writeItimer(t.memory(), u(a.a1), 0, 0);
        return 0;
    }

    private static void writeItimer(UserMemory m, long at, long interval, long value) {
        m.writeInt(at, (int) (interval / 1_000_000_000L));
        m.writeInt(at + 4, (int) (interval % 1_000_000_000L / 1000));
        m.writeInt(at + 8, (int) (value / 1_000_000_000L));
        m.writeInt(at + 12, (int) (value % 1_000_000_000L / 1000));
    }

    /** rt_sigtimedwait(set, info, timeout, sigsetsize): takes a pending signal of {@code set} without a handler. */
    private int rtSigtimedwait(Task t, SyscallArgs a) {
        if (a.a3 != 8) return -Errno.EINVAL;
        UserMemory m = t.memory();
        long set = m.readLong(u(a.a0)) & ~Signals.UNBLOCKABLE;
        SigInfo info = new SigInfo();
        int sig = t.kernel().signals().take(t, set, info);
        if (sig > 0) {
            if (a.a1 != 0) t.kernel().signals().writeInfo(m, u(a.a1), info);
            return sig;
        }
        if (a.a2 != 0 && !t.resumed()) {
            long ns = m.readInt(u(a.a2)) * 1_000_000_000L + m.readInt(u(a.a2) + 4);
            t.setDeadline(t.kernel().clock().monotonic() + ns);
        }
        if (t.timedOut() || (a.a2 != 0 && t.deadline() <= t.kernel().clock().monotonic())) return -Errno.EAGAIN;
        if (t.signalPending()) return -Errno.EINTR;
        return t.sleep();
    }
}
