package popek.linux.kernel;

/**
 * What the kernel knows of a session's controlling terminal (the tty layer implements it; the kernel does not know
 * terminals otherwise): its device number, for /proc/[pid]/stat's tty_nr and ps's TT column; and it is told when its
 * session's leader exits, so the terminal hangs up on the foreground process group and belongs to no session any more
 * (disassociate_ctty).
 */
public interface ControllingTerminal {
    /** The terminal's device number as new_encode_dev encodes it (136:0 is 0x8800). */
    int device();

    void sessionLeaderExited(Session session);
}
