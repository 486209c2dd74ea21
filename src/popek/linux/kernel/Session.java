package popek.linux.kernel;

/** A session (setsid): process groups sharing one controlling terminal, with its foreground group. */
public final class Session {
    final int sid;
    /** The controlling terminal, as the tty layer represents it (null: none). */
    Object controllingTerminal;
    ProcessGroup foreground;

    Session(int sid) { this.sid = sid; }

    public int sid() { return sid; }

    public Object controllingTerminal() { return controllingTerminal; }

    public void setControllingTerminal(Object tty) { controllingTerminal = tty; }

    public ProcessGroup foreground() { return foreground; }

    public void setForeground(ProcessGroup g) { foreground = g; }
}
