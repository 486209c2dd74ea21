package popek.linux.vfs;

import java.lang.foreign.MemorySegment;

import popek.linux.mm.Mappable;

/** A file's pages under the path /proc/[pid]/maps shows for them. */
record NamedMappable(Mappable pages, String name) implements Mappable {
    @Override
    public boolean readPage(long offset, MemorySegment page) { return pages.readPage(offset, page); }

    @Override
    public Object cacheKey() { return pages.cacheKey(); }

    @Override
    public boolean writePage(long offset, MemorySegment page, int length) { return pages.writePage(offset, page, length); }
}
