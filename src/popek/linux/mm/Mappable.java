package popek.linux.mm;

import java.lang.foreign.MemorySegment;

/**
 * What an open file offers to {@code mmap}: its pages, read on demand into frames. A file that has none (a pipe, a
 * terminal) answers {@code null} from {@code FileDescription.mappable()} and mmap fails with ENODEV.
 */
public interface Mappable {
    /**
     * Fills {@code page} (4 KiB) with the file's bytes from {@code offset} (page-aligned); bytes past the end of the
     * file are zero. Returns false when the page lies wholly past the end (a SIGBUS for the program touching it).
     */
    boolean readPage(long offset, MemorySegment page);

    /**
     * Identifies this file's current contents for the page cache: two mappings whose keys are equal share frames for
     * pages they have not written. Return null to never share (every fault reads the file again). A file whose
     * contents change must change its key.
     */
    default Object cacheKey() { return null; }

    /**
     * Writes a page of a shared writable mapping back ({@code MAP_SHARED} with {@code PROT_WRITE}), {@code length}
     * bytes from {@code offset}. Files that cannot be written answer false, and mmap refuses such mappings.
     */
    default boolean writePage(long offset, MemorySegment page, int length) { return false; }

    /** A name for /proc/[pid]/maps (the file's path in the container), or "". */
    default String name() { return ""; }
}
