package popek.linux.kernel;

/**
 * What the kernel tells a session's controlling terminal (the tty layer implements it; the kernel does not know
 * terminals otherwise): its session's leader has exited, so the terminal hangs up on the foreground process group
 * and belongs to no session any more (disassociate_ctty).
 */
public interface ControllingTerminal {
    void sessionLeaderExited(Session session);
}
