package popek.debug;

import popek.cpu.StopReason;

/** The debugger's front end (the GDB stub): told when the guest stops for it, and when the machine is over. */
public interface StopListener {
    /**
     * The guest is stopped for the debugger: inspect and change it through the session (on this thread, the vCPU's)
     * and return how it goes on. Blocks as long as the user looks.
     */
    Resume stopped(DebugSession session, DebugStop stop);

    /** The machine stopped for good, for {@code reason} (null: Popek itself failed). On the vCPU thread. */
    void finished(StopReason reason);
}
