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
    public synchronized int frame(long index) {
        if (index >= frames.length) frames = Arrays.copyOf(frames, (int) index + 1);
        int f = frames[(int) index];
        if (f == 0) {
            f = pool.allocate();
            if (f < 0) return -1;
            frames[(int) index] = f;
        }
        pool.retain(f);
        return f;
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
