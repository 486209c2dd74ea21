package popek.linux.mm;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * File pages shared by every private mapping that has not written them: the text of busybox, ld.so and libc is read
 * once and mapped read-only into each process. Because Unicorn keys translated code by physical address, sharing the
 * frame also shares the translations: an exec of a program run before starts with its code already translated.
 * Bounded: past {@link #limitFrames} the least recently used file's pages are dropped (mappings keep theirs).
 *
 * <p>A page is charged to the cgroup of the process that read it first (Linux's rule: the first toucher pays), and
 * stays charged there while the cache or any mapping holds it. {@link #reclaim} gives back pages no mapping holds
 * (they are never dirty: a file's pages are read from it, and its changes make a new key).
 */
public final class PageCache {
    private final PagePool pool;
    private final int limitFrames;
    private final LinkedHashMap<Object, int[]> files = new LinkedHashMap<>(64, 0.75f, true);
    private int cached;
    private long hits, misses;

    public PageCache(PagePool pool, int limitFrames) {
        this.pool = pool;
        this.limitFrames = limitFrames;
    }

    /**
     * The frame holding page {@code index} of {@code file} (whose {@link Mappable#cacheKey} is {@code key}), read now if
     * needed, with a reference for the caller; -1 when past the end of the file (SIGBUS) and -2 when out of frames.
     */
    public int frame(Object key, Mappable file, long index) { return frame(key, file, index, null); }

    /** The same, a page read now charged to {@code payer} (as a file page). */
    public int frame(Object key, Mappable file, long index, popek.cgroup.Cgroup payer) {
        synchronized (this) {
            int[] pages = files.get(key);
            if (pages != null && index < pages.length && pages[(int) index] != 0) {
                hits++;
                int f = pages[(int) index];
                pool.retain(f);
                return f;
            }
            misses++;
        }
        // Charged outside the lock: making room may reclaim from this cache.
        int f = pool.allocateUninitialised(payer, popek.cgroup.MemoryControl.FILE);
        if (f < 0) return -2;
        MemorySegment page = pool.memory().asSlice((long) f << PagePool.PAGE_SHIFT, PagePool.PAGE_SIZE);
        if (!file.readPage(index << PagePool.PAGE_SHIFT, page)) {
            pool.release(f);
            return -1;
        }
        return insert(key, index, f);
    }

    private synchronized int insert(Object key, long index, int f) {
        int[] pages = files.get(key);
        if (pages != null && index < pages.length && pages[(int) index] != 0) {   // read meanwhile by another
            pool.release(f);
            f = pages[(int) index];
            pool.retain(f);
            return f;
        }
        if (pages == null || index >= pages.length) {
            pages = pages == null ? new int[(int) index + 1] : Arrays.copyOf(pages, (int) index + 1);
            files.put(key, pages);
        }
        pages[(int) index] = f;   // the cache's reference
        cached++;
        pool.retain(f);           // the caller's
        if (cached > limitFrames) evict(key);
        return f;
    }

    private void evict(Object keep) {
        var it = files.entrySet().iterator();
        while (cached > limitFrames && it.hasNext()) {
            Map.Entry<Object, int[]> e = it.next();
            if (e.getKey().equals(keep)) continue;
            for (int f : e.getValue()) {
                if (f != 0) {
                    pool.release(f);
                    cached--;
                }
            }
            it.remove();
        }
    }

    /** Forgets a file's pages (its contents changed): mappings keep the frames they hold. */
    public synchronized void invalidate(Object key) {
        int[] pages = files.remove(key);
        if (pages == null) return;
        for (int f : pages) {
            if (f != 0) {
                pool.release(f);
                cached--;
            }
        }
    }

    /**
     * Gives back up to {@code bytes} of pages charged to {@code within} or its descendants that only the cache holds,
     * least recently used files first; returns the bytes freed.
     */
    public synchronized long reclaim(popek.cgroup.Cgroup within, long bytes) {
        long freed = 0;
        var it = files.entrySet().iterator();
        while (freed < bytes && it.hasNext()) {
            int[] pages = it.next().getValue();
            boolean any = false;
            for (int i = 0; i < pages.length; i++) {
                int f = pages[i];
                if (f == 0) continue;
                popek.cgroup.Cgroup owner = pool.owner(f);
                if (freed < bytes && pool.references(f) == 1 && owner != null && owner.within(within)) {
                    pages[i] = 0;
                    cached--;
                    pool.release(f);
                    freed += PagePool.PAGE_SIZE;
                } else {
                    any = true;
                }
            }
            if (!any) it.remove();
        }
        return freed;
    }

    public synchronized int cachedFrames() { return cached; }

    public synchronized long hits() { return hits; }

    public synchronized long misses() { return misses; }
}
