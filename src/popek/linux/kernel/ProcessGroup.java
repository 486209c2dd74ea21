package popek.linux.kernel;

import java.util.ArrayList;
import java.util.List;

/** A process group (a shell's job): the processes a terminal's ^C or a kill(-pgid) reaches together. */
public final class ProcessGroup {
    final int pgid;
    /** Its id: its first leader's pid, as each namespace that sees it numbers it ({@code pgid} is the root's number). */
    final Pid pid;
    final Session session;
    final List<ThreadGroup> members = new ArrayList<>();

    ProcessGroup(Pid pid, Session session) {
        this.pid = pid;
        this.pgid = pid.global();
        this.session = session;
    }

    public int pgid() { return pgid; }

    /** Its id as namespace {@code ns} numbers it (0 if it cannot see it). */
    public int pgid(PidNamespace ns) { return pid.nr(ns); }

    public Pid pidNumbers() { return pid; }

    public Session session() { return session; }

    public List<ThreadGroup> members() { return List.copyOf(members); }
}
