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
    public synchronized int frame(Object key, Mappable file, long index) {
        int[] pages = files.get(key);
        if (pages != null && index < pages.length && pages[(int) index] != 0) {
            hits++;
            int f = pages[(int) index];
            pool.retain(f);
            return f;
        }
        misses++;
        int f = pool.allocateUninitialised();
        if (f < 0) return -2;
        MemorySegment page = pool.memory().asSlice((long) f << PagePool.PAGE_SHIFT, PagePool.PAGE_SIZE);
        if (!file.readPage(index << PagePool.PAGE_SHIFT, page)) {
            pool.release(f);
            return -1;
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

    public synchronized int cachedFrames() { return cached; }

    public synchronized long hits() { return hits; }

    public synchronized long misses() { return misses; }
}
