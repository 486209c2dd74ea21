package popek.linux.tty;

import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.kernel.Kernel;
import popek.linux.kernel.ProcessGroup;
import popek.linux.kernel.Session;
import popek.linux.kernel.SigInfo;
import popek.linux.kernel.Task;
import popek.linux.kernel.ThreadGroup;

/**
 * The terminal's side of job control (drivers/tty/tty_jobctrl.c): which session a terminal controls and which of its
 * process groups is in the foreground; a background process that reads it (SIGTTIN) or, with TOSTOP, writes it or
 * changes its settings (SIGTTOU) is stopped; getting and giving up a controlling terminal; hangups.
 */
final class JobControl {
    private JobControl() { }

    /** A signal from the terminal to every process of {@code group} (si_code SI_KERNEL, as kill_pgrp(..., 1)). */
    static void signalGroup(Kernel kernel, ProcessGroup group, int sig) {
        SigInfo info = new SigInfo();
        info.signo = sig;
        info.code = Signals.SI_KERNEL;
        for (ThreadGroup g : group.members()) kernel.signals().sendToGroup(g, info);
    }

    private static void signalProcess(Kernel kernel, ThreadGroup g, int sig) {
        SigInfo info = new SigInfo();
        info.signo = sig;
        info.code = Signals.SI_KERNEL;
        kernel.signals().sendToGroup(g, info);
    }

    static boolean controls(Task t, Pty p) { return t.group().session().controllingTerminal() == p; }

    static boolean sessionLeader(Task t) { return t.group().session().sid() == t.tgid(); }

    /**
     * __tty_check_change: may {@code t} read ({@code sig} SIGTTIN) or change ({@code SIGTTOU}) terminal {@code p}?
     * 0 if so; -EIO for an orphaned process group, or a reader that ignores or blocks SIGTTIN; else its process group
     * is sent {@code sig} and the call ends with -ERESTARTSYS, to be made again once the job is in the foreground.
     */
    static int check(Task t, Pty p, int sig) {
        if (!controls(t, p)) return 0;
        ProcessGroup mine = t.group().processGroup();
        if (p.foreground == null || p.foreground == mine) return 0;
        boolean ignored = (t.blockedSignals() & Signals.bit(sig)) != 0 || t.handlers().get(sig).isIgnore();
        if (ignored) return sig == Signals.SIGTTIN ? -Errno.EIO : 0;
        if (orphaned(mine)) return -Errno.EIO;
        signalGroup(t.kernel(), mine, sig);
        return -Errno.ERESTARTSYS;
    }

    /**
     * An orphaned process group: no member has a parent in another group of the same session to stop and continue it
     * (will_become_orphaned_pgrp). A container's first process counts as a parent: it is no host's init.
     */
    static boolean orphaned(ProcessGroup pg) {
        for (ThreadGroup m : pg.members()) {
            if (m.zombie()) continue;
            ThreadGroup parent = m.parent();
            if (parent != null && parent.processGroup() != pg && parent.session() == m.session()) return false;
        }
        return true;
    }

    // ---------------------------------------------------------------- controlling terminal

    /** tty_open_proc_set_tty: a session leader without a terminal that opens a free one (readable, no O_NOCTTY) gets it. */
    static void acquireOnOpen(Task t, Pty p, boolean noctty, boolean readable) {
        Session s = t.group().session();
        if (!noctty && readable && sessionLeader(t) && s.controllingTerminal() == null && p.session == null) attach(t, p);
    }

    /** __proc_set_tty: {@code p} becomes the controlling terminal of {@code t}'s session, its group the foreground. */
    static void attach(Task t, Pty p) {
        Session s = t.group().session();
        p.session = s;
        p.foreground = t.group().processGroup();
        s.setControllingTerminal(p);
        s.setForeground(p.foreground);
    }

    /** TIOCSCTTY(steal). */
    static int setControlling(Task t, Pty p, int steal, boolean readable) {
        Session s = t.group().session();
        if (sessionLeader(t) && p.session == s) return 0;
        if (!sessionLeader(t) || s.controllingTerminal() != null) return -Errno.EPERM;
        boolean admin = t.credentials().privileged();
        if (p.session != null) {
            if (steal != 1 || !admin) return -Errno.EPERM;
            detach(p);
        }
        if (!readable && !admin) return -Errno.EPERM;
        attach(t, p);
        return 0;
    }

    /**
     * TIOCNOTTY: the caller gives up its controlling terminal; a session leader takes it from the whole session, and
     * its foreground group gets SIGHUP and SIGCONT. (Popek keeps the controlling terminal per session, so a process
     * that is not the leader cannot leave it alone: for it the call succeeds and changes nothing.)
     */
    static int giveUp(Task t, Pty p) {
        if (!controls(t, p)) return -Errno.ENOTTY;
        if (!sessionLeader(t)) return 0;
        ProcessGroup fg = p.foreground;
        detach(p);
        if (fg != null) {
            signalGroup(t.kernel(), fg, Signals.SIGHUP);
            signalGroup(t.kernel(), fg, Signals.SIGCONT);
        }
        return 0;
    }

    /** The session leader exited (disassociate_ctty(1)): SIGHUP to the foreground group, and the session loses it. */
    static void leaderExited(Kernel kernel, Pty p) {
        ProcessGroup fg = p.foreground;
        detach(p);
        if (fg != null) signalGroup(kernel, fg, Signals.SIGHUP);
    }

    /** The master closed (tty_vhangup): SIGHUP and SIGCONT to the session's leader, and the session loses the terminal. */
    static void hangup(Kernel kernel, Pty p) {
        Session s = p.session;
        if (s == null) return;
        detach(p);
        ThreadGroup leader = kernel.pids().threadGroup(s.sid());
        if (leader != null && !leader.zombie() && leader.session() == s) {
            signalProcess(kernel, leader, Signals.SIGHUP);
            signalProcess(kernel, leader, Signals.SIGCONT);
        }
    }

    private static void detach(Pty p) {
        Session s = p.session;
        if (s != null) {
            if (s.controllingTerminal() == p) {
                s.setControllingTerminal(null);
                s.setForeground(null);
            }
        }
        p.session = null;
        p.foreground = null;
    }

    // ---------------------------------------------------------------- foreground process group

    /** TIOCSPGRP: the caller's session's terminal gets {@code pgid} (a group of that session) as its foreground. */
    static int setForeground(Task t, Pty p, int pgid) {
        int r = check(t, p, Signals.SIGTTOU);
        if (r == -Errno.EIO) return -Errno.ENOTTY;
        if (r != 0) return r;
        if (pgid < 0) return -Errno.EINVAL;
        Session s = t.group().session();
        if (!controls(t, p) || p.session != s) return -Errno.ENOTTY;
        var ns = t.pidNamespace();
        ProcessGroup g = ns.processGroup(pgid);
        if (g == null) return ns.task(pgid) != null ? -Errno.EPERM : -Errno.ESRCH;
        if (g.session() != s) return -Errno.EPERM;
        p.foreground = g;
        s.setForeground(g);
        return 0;
    }
}
