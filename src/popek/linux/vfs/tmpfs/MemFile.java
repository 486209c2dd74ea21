package popek.linux.vfs.tmpfs;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import popek.linux.abi.Errno;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.FileData;

/**
 * A regular file in memory: pages of 4 KiB made as they are written (a hole reads as zeros), its size, and what
 * mmap maps (read from the pages; its cache key changes with every write, so a mapping made after a write never
 * sees stale pages). Its own {@link FileData}: every open file of it shares it.
 */
public final class MemFile extends MemInode implements FileData, Mappable {
    private static final byte[] ZEROS = new byte[TmpFs.PAGE];
    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(ZEROS);

    private final PageStore pages = new PageStore();
    private long size;
    private long allocated;
    private Object cacheKey;
    private int opens;
    private boolean released;

    MemFile(TmpFs fs, int mode, int uid, int gid) { super(fs, mode, uid, gid); }

    @Override
    public synchronized long size() { return size; }

    @Override
    protected synchronized long blocks() { return allocated * (TmpFs.PAGE / 512); }

    @Override
    public synchronized FileData openData(int flags) {
        opens++;
        return this;
    }

    @Override
    public synchronized void close() {
        opens--;
        releaseIfGone();
    }

    @Override
    protected synchronized void dropped() {
        super.dropped();
        releaseIfGone();
    }

    /** No name and no open file left: its pages no longer count against the file system (mappings keep them). */
    private void releaseIfGone() {
        if (nlink == 0 && opens == 0 && !released) {
            released = true;
            tmpfs.unreserve(allocated);
        }
    }

    @Override
    public synchronized int read(long offset, UserBuffer dst) {
        if (offset >= size) return 0;
        int total = 0;
        while (dst.remaining() > 0 && offset < size) {
            long index = offset / TmpFs.PAGE;
            int in = (int) (offset % TmpFs.PAGE);
            int n = (int) Math.min(Math.min(TmpFs.PAGE - in, dst.remaining()), size - offset);
            MemorySegment page = pages.segment(index);
            int moved = dst.copyOut(page != null ? page : ZERO_PAGE, in, n);
            total += moved;
            offset += moved;
            if (moved < n) break;
        }
        return total;
    }

    @Override
    public synchronized int readBytes(long offset, byte[] dst, int off, int len) {
        if (offset >= size) return 0;
        int n = (int) Math.min(len, size - offset);
        int done = 0;
        while (done < n) {
            long index = (offset + done) / TmpFs.PAGE;
            int in = (int) ((offset + done) % TmpFs.PAGE);
            int step = Math.min(TmpFs.PAGE - in, n - done);
            byte[] page = pages.page(index);
            if (page == null) page = ZEROS;
            System.arraycopy(page, in, dst, off + done, step);
            done += step;
        }
        return n;
    }

    @Override
    public synchronized int write(long offset, UserBuffer src) {
        int total = 0;
        while (src.remaining() > 0 && offset < popek.linux.vfs.RegularFile.MAX_SIZE) {
            long index = offset / TmpFs.PAGE;
            int in = (int) (offset % TmpFs.PAGE);
            int n = (int) Math.min(Math.min(TmpFs.PAGE - in, src.remaining()), popek.linux.vfs.RegularFile.MAX_SIZE - offset);
            if (!ensure(index)) {
                if (total == 0) return -Errno.ENOSPC;
                break;
            }
            int moved = src.copyIn(pages.segment(index), in, n);
            total += moved;
            offset += moved;
            if (offset > size) size = offset;
            if (moved < n) break;
        }
        if (total > 0) contentsChanged();
        return total;
    }

    /** Page {@code index} made (and counted against the file system) if it was a hole; false when the file system is full. */
    private boolean ensure(long index) {
        if (pages.page(index) != null) return true;
        if (!tmpfs.reserve(1)) return false;
        pages.make(index);
        allocated++;
        return true;
    }

    /** Writes {@code len} bytes of {@code src} at {@code offset} (an overlay copy-up filling the file). */
    public synchronized void writeBytes(long offset, byte[] src, int off, int len) {
        while (len > 0) {
            long index = offset / TmpFs.PAGE;
            int in = (int) (offset % TmpFs.PAGE);
            int n = Math.min(TmpFs.PAGE - in, len);
            if (!ensure(index)) throw Errno.error(Errno.ENOSPC);
            System.arraycopy(src, off, pages.page(index), in, n);
            offset += n;
            off += n;
            len -= n;
            if (offset > size) size = offset;
        }
        cacheKey = null;
    }

    private void contentsChanged() {
        cacheKey = null;
        modified();
    }

    @Override
    public synchronized void truncate(long length) {
        if (length < size) {
            long keep = (length + TmpFs.PAGE - 1) / TmpFs.PAGE;
            long dropped = pages.dropFrom(keep);
            allocated -= dropped;
            if (!released) tmpfs.unreserve(dropped);
            int in = (int) (length % TmpFs.PAGE);
            byte[] last = in == 0 ? null : pages.page(keep - 1);
            if (last != null) Arrays.fill(last, in, TmpFs.PAGE, (byte) 0);
        }
        size = length;
        contentsChanged();
    }

    @Override
    public Mappable mappable() { return this; }

    @Override
    public synchronized boolean readPage(long offset, MemorySegment page) {
        if (offset >= size) return false;
        MemorySegment p = pages.segment(offset / TmpFs.PAGE);
        if (p != null) {
            MemorySegment.copy(p, 0, page, 0, TmpFs.PAGE);
            long valid = size - offset;
            if (valid < TmpFs.PAGE) page.asSlice(valid).fill((byte) 0);
        } else {
            page.fill((byte) 0);
        }
        return true;
    }

    @Override
    public synchronized Object cacheKey() {
        if (cacheKey == null) cacheKey = new Object();
        return cacheKey;
    }
}
