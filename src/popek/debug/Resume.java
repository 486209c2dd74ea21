package popek.debug;

/** How a debugger lets a stopped guest go on. */
public enum Resume {
    /** Run until something stops it. */
    CONTINUE,
    /** Run one instruction. */
    STEP,
    /** End the machine (gdb's kill). */
    KILL,
    /** Forget every breakpoint and watchpoint and run on without the debugger (gdb's detach). */
    DETACH
}
