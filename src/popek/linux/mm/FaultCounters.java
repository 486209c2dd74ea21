package popek.linux.mm;

/** Page faults by how they ended, for {@code --stats}: plain counters, bumped on the fault path. */
public final class FaultCounters {
    /** A page made present on first touch (anonymous zero page, or a file page). */
    public long demand;
    /** A write to a page shared after fork (or a file page): copied, or made writable when no longer shared. */
    public long copyOnWrite;
    /** The stack grown down to a touched address. */
    public long stackGrowth;
    /** No mapping, or the access not allowed: a signal for the program (or EFAULT for a system call). */
    public long fatal;
    /** Faults taken on behalf of a system call touching user memory (included in the counts above). */
    public long fromKernel;
}
