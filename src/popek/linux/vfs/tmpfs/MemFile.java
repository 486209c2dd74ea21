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
 *
 * <p>Its pages are charged to the cgroup of the first process that wrote one (memory.stat's shmem), as Linux charges
 * tmpfs pages, so a container's memory.max bounds what it keeps in memory files too.
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
    /** Who pays for its pages (the first writer's cgroup), and how many it pays for. */
    private popek.cgroup.Cgroup payer;
    private long charged;

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
            uncharge(charged);
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
            int made = ensure(index, src.owner());
            if (made < 0) {
                if (total == 0) return made;
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

    /**
     * Page {@code index} made (counted against the file system, charged to the payer) if it was a hole, for a write by
     * the process of address space {@code writer} (null: the kernel's own copy); 0, -ENOSPC when the file system is
     * full, -ENOMEM when the charge fails at a memory.max.
     */
    private int ensure(long index, popek.linux.mm.MemoryManager writer) {
        if (pages.page(index) != null) return 0;
        if (!tmpfs.reserve(1)) return -Errno.ENOSPC;
        if (payer == null && writer != null) payer = writer.cgroup();
        if (payer != null) {
            boolean ok;
            if (writer != null) {
                ok = writer.pool().charge(payer, popek.cgroup.MemoryControl.SHMEM, TmpFs.PAGE, true);
            } else {
                payer.forceChargeMemory(popek.cgroup.MemoryControl.SHMEM, TmpFs.PAGE);
                ok = true;
            }
            if (!ok) {
                tmpfs.unreserve(1);
                return -Errno.ENOMEM;
            }
            tmpfs.charged(payer, 1);
            charged++;
        }
        pages.make(index);
        allocated++;
        return 0;
    }

    /** Gives back the charge of {@code n} of its pages. */
    private void uncharge(long n) {
        n = Math.min(n, charged);
        if (n <= 0) return;
        charged -= n;
        tmpfs.uncharged(payer, n);
    }

    /** Writes {@code len} bytes of {@code src} at {@code offset} (an overlay copy-up filling the file). */
    public synchronized void writeBytes(long offset, byte[] src, int off, int len) {
        while (len > 0) {
            long index = offset / TmpFs.PAGE;
            int in = (int) (offset % TmpFs.PAGE);
            int n = Math.min(TmpFs.PAGE - in, len);
            int made = ensure(index, null);
            if (made < 0) throw Errno.error(-made);
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
            if (!released) {
                tmpfs.unreserve(dropped);
                uncharge(dropped);
            }
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
