package popek.linux.mm;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import popek.cgroup.Cgroup;
import popek.cgroup.MemoryControl;

/**
 * The pages of one {@code MAP_SHARED | MAP_ANONYMOUS} mapping, shared by every process that inherits it through fork.
 * Its frames live as long as the object (until the last mapping of it goes away, at which point the kernel drops it).
 * The table of its frames is made a chunk of 1,024 pages at a time as they are touched, so a huge mapping costs the
 * Java heap nothing until it is used; each page is charged to the cgroup that touched it first (shmem).
 */
public final class AnonymousShared implements Mappable, SharedPages {
    private static final int SHIFT = 10, CHUNK = 1 << SHIFT, MASK = CHUNK - 1;

    private final PagePool pool;
    private int[][] chunks = new int[0][];
    private int areas;

    /** A new object for a mapping of {@code bytes} (its table grows as pages are touched, so the size is not needed up front). */
    public AnonymousShared(PagePool pool, long bytes) { this.pool = pool; }

    private int get(long index) {
        int c = (int) (index >>> SHIFT);
        return c < chunks.length && chunks[c] != null ? chunks[c][(int) index & MASK] : 0;
    }

    private void put(long index, int frame) {
        int c = (int) (index >>> SHIFT);
        if (c >= chunks.length) chunks = Arrays.copyOf(chunks, c + 1);
        if (chunks[c] == null) chunks[c] = new int[CHUNK];
        chunks[c][(int) index & MASK] = frame;
    }

    @Override
    public int frame(long index) { return frame(index, null); }

    @Override
    public int frame(long index, Cgroup payer) {
        synchronized (this) {
            int f = get(index);
            if (f != 0) {
                pool.retain(f);
                return f;
            }
        }
        // Charged outside the lock: making room may kill processes, which unmaps their areas of this object.
        int made = pool.allocate(payer, MemoryControl.SHMEM);
        if (made < 0) return -1;
        synchronized (this) {
            int f = get(index);
            if (f != 0) {
                pool.release(made);   // made meanwhile by another
            } else {
                put(index, made);
                f = made;
            }
            pool.retain(f);
            return f;
        }
    }

    @Override
    public boolean readPage(long offset, MemorySegment page) {
        page.fill((byte) 0);
        return true;
    }

    @Override
    public String name() { return "/dev/zero (deleted)"; }

    /** A memory area now maps this object (a new mapping, a fork's copy, a split). */
    synchronized void attach() { areas++; }

    /** An area mapping this object went away; the last one releases the object's frames. */
    synchronized void detach() {
        if (--areas > 0) return;
        for (int[] chunk : chunks) {
            if (chunk == null) continue;
            for (int f : chunk) if (f != 0) pool.release(f);
        }
        chunks = new int[0][];
    }
}
