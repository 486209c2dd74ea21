package popek.linux.ns;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Inode numbers for namespaces made after boot, from where Linux's proc_alloc_inum starts them (0xF0000000,
 * 4026531840), one sequence for the whole JVM as Linux keeps one per machine: two containers' namespaces never share
 * a number. The initial namespaces of a kind take Linux's fixed numbers ({@link NsType}).
 */
public final class NsInodes {
    private static final AtomicLong NEXT = new AtomicLong(0xF0000000L);

    private NsInodes() { }

    /** A number no other namespace has. */
    public static long allocate() { return NEXT.getAndIncrement(); }
}
