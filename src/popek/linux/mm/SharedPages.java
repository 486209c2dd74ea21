package popek.linux.mm;

/**
 * Pages that several address spaces map at once and see each other's writes in: a shared anonymous mapping (which
 * fork gives the child as it is) or a file's pages in the page cache. A shared area's faults take their frame here.
 */
public interface SharedPages {
    /** The frame for page {@code index} (made on first use), with one more reference for the caller; -1 if none can be had. */
    int frame(long index);

    /** The same, a frame made now charged to {@code payer} (the first to touch a shared page pays for it, as in Linux). */
    default int frame(long index, popek.cgroup.Cgroup payer) { return frame(index); }
}
