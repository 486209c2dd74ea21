package popek.linux.kernel;

import popek.linux.mm.UserMemory;

/** struct rusage as i386 lays it out (two timevals, then fourteen longs): what getrusage and wait4 report. */
public final class Rusage {
    private Rusage() { }

    public static final int SIZE = 72;

    /** Writes user and system time (ns) and zeros for the rest. */
    public static void write(UserMemory m, long at, long userNanos, long systemNanos) {
        m.zero(at, SIZE);
        m.writeInt(at, (int) (userNanos / 1_000_000_000L));
        m.writeInt(at + 4, (int) (userNanos % 1_000_000_000L / 1000));
        m.writeInt(at + 8, (int) (systemNanos / 1_000_000_000L));
        m.writeInt(at + 12, (int) (systemNanos % 1_000_000_000L / 1000));
    }
}
