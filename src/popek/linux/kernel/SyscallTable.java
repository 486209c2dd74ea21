package popek.linux.kernel;

import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.SyscallNumbers;

/**
 * The system calls a kernel serves, by i386 number, with their counters for {@code --stats}: how often each was made
 * and (when timing is on) the host time it took. A number with no handler answers -ENOSYS and is counted under its
 * name, so what a program needs and Popek lacks shows up by name, never as a failure of Popek.
 */
public final class SyscallTable {
    /** Room for every i386 number and a margin (a program may pass anything in EAX). */
    private static final int SIZE = 512;

    private final Syscall[] handlers = new Syscall[SIZE];
    private final long[] counts = new long[SIZE];
    private final long[] nanos = new long[SIZE];
    private long outOfRange;

    /** Registers {@code handler} for number {@code nr}, replacing what was there (a later family may override). */
    public void register(int nr, Syscall handler) {
        if (nr < 0 || nr >= SIZE) throw new IllegalArgumentException("syscall number " + nr);
        handlers[nr] = handler;
    }

    public boolean has(int nr) { return nr >= 0 && nr < SIZE && handlers[nr] != null; }

    /** The handler for {@code nr}, or null (the caller answers -ENOSYS); counts the call. */
    Syscall lookup(int nr) {
        if (nr < 0 || nr >= SIZE) {
            outOfRange++;
            return null;
        }
        counts[nr]++;
        return handlers[nr];
    }

    void addTime(int nr, long ns) {
        if (nr >= 0 && nr < SIZE) nanos[nr] += ns;
    }

    /** One line of the report: a call's name, whether Popek serves it, its count and total host time. */
    public record Usage(String name, boolean served, long count, long nanos) { }

    /** Every call made at least once, in number order. */
    public List<Usage> usage() {
        List<Usage> out = new ArrayList<>();
        for (int nr = 0; nr < SIZE; nr++) {
            if (counts[nr] > 0) out.add(new Usage(SyscallNumbers.name(nr), handlers[nr] != null, counts[nr], nanos[nr]));
        }
        if (outOfRange > 0) out.add(new Usage("(numbers past the table)", false, outOfRange, 0));
        return out;
    }

    static final int ENOSYS = -Errno.ENOSYS;
}
