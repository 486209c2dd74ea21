package popek.debug;

/**
 * Why the guest stopped for the debugger. {@code address}: the breakpoint's address, or the data address a
 * watchpoint saw accessed; {@code watch}: that watchpoint's kind.
 */
public record DebugStop(Reason reason, long address, WatchKind watch) {
    public enum Reason {
        /** Before the first instruction (the debugger asked to be waited for). */
        START,
        /** The debugger asked for a stop (a connection, Ctrl-C). */
        PAUSED,
        SOFTWARE_BREAKPOINT,
        HARDWARE_BREAKPOINT,
        /** A single step is done. */
        STEP,
        WATCHPOINT
    }

    static DebugStop of(Reason reason) { return new DebugStop(reason, 0, null); }
}
