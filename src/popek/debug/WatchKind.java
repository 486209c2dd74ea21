package popek.debug;

/** What a watchpoint stops on: a write to its bytes, a read of them, or either (gdb's watch, rwatch and awatch). */
public enum WatchKind {
    WRITE, READ, ACCESS;

    boolean onWrite() { return this != READ; }

    boolean onRead() { return this != WRITE; }
}
