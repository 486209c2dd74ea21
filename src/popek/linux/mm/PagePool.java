package popek.linux.mm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import popek.engine.HostMemory;

/**
 * The physical memory of Popek's Linux kernel: one anonymous host mapping, shared with every engine that runs Linux
 * tasks (mapped at guest-physical 0), cut into 4 KiB frames that Popek hands out for user pages and page tables. Each
 * frame has a reference count (pages shared after fork, page-cache pages mapped by many processes).
 *
 * <p>A freed frame is not reused at once: Unicorn's translated code is keyed by physical address and never notices
 * that Java rewrote a frame, so a frame that may have held code waits in quarantine until every engine has dropped
 * its translations ({@link #recycle}, called between runs). Frames are zeroed when handed out.
 */
public final class PagePool implements AutoCloseable {
    public static final int PAGE_SIZE = 4096, PAGE_SHIFT = 12;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final int frames;
    private final int[] refs;
    private final int[] free;
    private int freeTop;
    private int[] quarantine = new int[1024];
    private int quarantined;
    /** Frames in use (refcount > 0), for memory statistics. */
    private int used;

    /** A pool of {@code bytes} (a multiple of 4 KiB, at most 3 GiB); host pages are committed only when first touched. */
    public PagePool(long bytes) {
        if (bytes % PAGE_SIZE != 0 || bytes <= PAGE_SIZE || bytes > (3L << 30)) throw new IllegalArgumentException("pool size " + bytes);
        this.memory = HostMemory.anonymous(bytes, arena);
        this.frames = (int) (bytes >>> PAGE_SHIFT);
        this.refs = new int[frames];
        this.free = new int[frames];
        for (int f = frames - 1; f >= 1; f--) free[freeTop++] = f;   // frame 0 is never used: a zero PTE means "none"
    }

    /** All frames, as Unicorn sees them at guest-physical 0. */
    public MemorySegment memory() { return memory; }

    public long bytes() { return memory.byteSize(); }

    /** A zeroed frame with one reference, or -1 when none is left (even after recycling). */
    public synchronized int allocate() {
        if (freeTop == 0) return -1;
        int f = free[--freeTop];
        refs[f] = 1;
        used++;
        memory.asSlice((long) f << PAGE_SHIFT, PAGE_SIZE).fill((byte) 0);
        return f;
    }

    /** Like {@link #allocate} but not zeroed: the caller fills the whole frame at once. */
    public synchronized int allocateUninitialised() {
        if (freeTop == 0) return -1;
        int f = free[--freeTop];
        refs[f] = 1;
        used++;
        return f;
    }

    public synchronized void retain(int frame) { refs[frame]++; }

    public synchronized int references(int frame) { return refs[frame]; }

    /** Drops one reference; the last one sends the frame to quarantine. */
    public synchronized void release(int frame) {
        if (refs[frame] <= 0) throw new IllegalStateException("frame " + frame + " released twice");
        if (--refs[frame] > 0) return;
        used--;
        if (quarantined == quarantine.length) quarantine = java.util.Arrays.copyOf(quarantine, quarantined * 2);
        quarantine[quarantined++] = frame;
    }

    /** How many frames wait for the engines to drop their translated code before they can be reused. */
    public synchronized int quarantined() { return quarantined; }

    public synchronized int freeFrames() { return freeTop; }

    public synchronized int usedFrames() { return used; }

    public int totalFrames() { return frames - 1; }

    /**
     * Moves up to {@code into.length} quarantined frames into {@code into} and returns how many: the caller has the
     * engines drop the code translated from them, then gives them back with {@link #free}.
     */
    public synchronized int drainQuarantine(int[] into) {
        int n = Math.min(into.length, quarantined);
        quarantined -= n;
        System.arraycopy(quarantine, quarantined, into, 0, n);
        return n;
    }

    /** Frames taken with {@link #drainQuarantine}, now free of translated code, back to the free list. */
    public synchronized void free(int[] frames, int n) {
        for (int i = 0; i < n; i++) this.free[freeTop++] = frames[i];
    }

    /** True when quarantined frames should be cleaned and reused: many wait, or the free list runs short. */
    public synchronized boolean wantsRecycle() {
        return quarantined >= RECYCLE_BATCH || (quarantined > 0 && freeTop < frames / 8);
    }

    /** How many quarantined frames make a batch worth cleaning. */
    public static final int RECYCLE_BATCH = 1024;

    @Override
    public void close() { arena.close(); }
}
