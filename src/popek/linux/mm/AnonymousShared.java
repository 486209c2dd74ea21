package popek.linux.mm;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The pages of one {@code MAP_SHARED | MAP_ANONYMOUS} mapping, shared by every process that inherits it through fork.
 * Its frames live as long as the object (until the last mapping of it goes away, at which point the kernel drops it).
 */
public final class AnonymousShared implements Mappable, SharedPages {
    private final PagePool pool;
    private int[] frames;

    public AnonymousShared(PagePool pool, long bytes) {
        this.pool = pool;
        this.frames = new int[(int) ((bytes + PagePool.PAGE_SIZE - 1) >>> PagePool.PAGE_SHIFT)];
    }

    @Override
    public int frame(long index) { return frame(index, null); }

    @Override
    public int frame(long index, popek.cgroup.Cgroup payer) {
        synchronized (this) {
            if (index < frames.length && frames[(int) index] != 0) {
                pool.retain(frames[(int) index]);
                return frames[(int) index];
            }
        }
        // Charged outside the lock: making room may kill processes, which unmaps their areas of this object.
        int f = pool.allocate(payer, popek.cgroup.MemoryControl.SHMEM);
        if (f < 0) return -1;
        synchronized (this) {
            if (index >= frames.length) frames = Arrays.copyOf(frames, (int) index + 1);
            if (frames[(int) index] != 0) {
                pool.release(f);   // made meanwhile by another
            } else {
                frames[(int) index] = f;
            }
            pool.retain(frames[(int) index]);
            return frames[(int) index];
        }
    }

    @Override
    public boolean readPage(long offset, MemorySegment page) {
        page.fill((byte) 0);
        return true;
    }

    @Override
    public String name() { return "/dev/zero (deleted)"; }

    private int areas;

    /** A memory area now maps this object (a new mapping, a fork's copy, a split). */
    synchronized void attach() { areas++; }

    /** An area mapping this object went away; the last one releases the object's frames. */
    synchronized void detach() {
        if (--areas > 0) return;
        for (int f : frames) if (f != 0) pool.release(f);
        frames = new int[0];
    }
}
