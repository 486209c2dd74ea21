package popek.linux.kernel;

/** A session (setsid): process groups sharing one controlling terminal, with its foreground group. */
public final class Session {
    final int sid;
    /** Its id: its leader's pid ({@code sid} is the root namespace's number). */
    final Pid pid;
    /** The controlling terminal, as the tty layer represents it (null: none). */
    Object controllingTerminal;
    ProcessGroup foreground;

    Session(Pid pid) {
        this.pid = pid;
        this.sid = pid.global();
    }

    public int sid() { return sid; }

    /** Its id as namespace {@code ns} numbers it (0 if it cannot see it). */
    public int sid(PidNamespace ns) { return pid.nr(ns); }

    public Pid pidNumbers() { return pid; }

    public Object controllingTerminal() { return controllingTerminal; }

    public void setControllingTerminal(Object tty) { controllingTerminal = tty; }

    public ProcessGroup foreground() { return foreground; }

    public void setForeground(ProcessGroup g) { foreground = g; }
}
