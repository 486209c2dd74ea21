package popek.linux.mm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import popek.cgroup.Cgroup;
import popek.cgroup.MemoryControl;
import popek.engine.HostMemory;

/**
 * The physical memory of Popek's Linux kernel: one anonymous host mapping, shared with every engine that runs Linux
 * tasks (mapped at guest-physical 0), cut into 4 KiB frames that Popek hands out for user pages and page tables. Each
 * frame has a reference count (pages shared after fork, page-cache pages mapped by many processes).
 *
 * <p>A freed frame is not reused at once: Unicorn's translated code is keyed by physical address and never notices
 * that Java rewrote a frame, so a frame that may have held code waits in quarantine until every engine has dropped
 * its translations ({@link #recycle}, called between runs). Frames are zeroed when handed out.
 *
 * <p>A frame may be charged to a cgroup (memory.current): the one that made it pays until the frame is freed, as
 * Linux charges a page to the cgroup that first instantiates it. The owner of each frame is kept in arrays sized once
 * with the pool, so a program allocating memory never grows Popek's Java heap.
 */
public final class PagePool implements AutoCloseable {
    public static final int PAGE_SIZE = 4096, PAGE_SHIFT = 12;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment memory;
    private final int frames;
    private final int[] refs;
    private final int[] free;
    /** Who pays for each frame (null: nobody, the kernel's own) and for what (a {@link MemoryControl} kind). */
    private final Cgroup[] owners;
    private final byte[] kinds;
    private volatile MemoryPressure pressure;
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
        this.owners = new Cgroup[frames];
        this.kinds = new byte[frames];
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

    /**
     * A zeroed frame charged to {@code cg} as {@code kind} (a {@link MemoryControl} kind; no charge when {@code cg} is
     * null), or -1 when the charge fails at a memory.max (after reclaim and the OOM killer had their turn) or no frame
     * is left.
     */
    public int allocate(Cgroup cg, int kind) {
        if (!charge(cg, kind, PAGE_SIZE, true)) return -1;
        int f = allocate();
        return owned(f, cg, kind);
    }

    /** Like {@link #allocate(Cgroup, int)} but not zeroed. */
    public int allocateUninitialised(Cgroup cg, int kind) {
        if (!charge(cg, kind, PAGE_SIZE, true)) return -1;
        int f = allocateUninitialised();
        return owned(f, cg, kind);
    }

    private int owned(int f, Cgroup cg, int kind) {
        if (cg == null) return f;
        if (f < 0) {
            cg.unchargeMemory(kind, PAGE_SIZE);
            return -1;
        }
        synchronized (this) {
            owners[f] = cg;
            kinds[f] = (byte) kind;
        }
        return f;
    }

    /** The cgroup frame {@code frame} is charged to, or null. */
    public synchronized Cgroup owner(int frame) { return owners[frame]; }

    /** Who to ask when a charge meets a limit (the kernel's reclaim and OOM killer); none: charges past memory.max fail. */
    public void setPressure(MemoryPressure p) { pressure = p; }

    /** How many times a refused charge is tried again after room was made (Linux's MAX_RECLAIM_RETRIES). */
    private static final int CHARGE_RETRIES = 16;

    /**
     * Charges {@code bytes} of {@code kind} to {@code cg} (nothing to do for null) and its ancestors, making room as
     * their memory.max require ({@link MemoryPressure#relieve}, OOM kills only with {@code mayKill}); false when it
     * could not be charged. Past a memory.high, the pressure handler hears of it once per 64 pages.
     */
    public boolean charge(Cgroup cg, int kind, long bytes, boolean mayKill) {
        if (cg == null) return true;
        for (int attempt = 0; ; attempt++) {
            Cgroup over = cg.chargeMemory(kind, bytes);
            if (over == null) break;
            MemoryPressure p = pressure;
            MemoryPressure.Relief r = p == null || attempt == CHARGE_RETRIES ? MemoryPressure.Relief.FAIL : p.relieve(over, bytes, mayKill);
            if (r == MemoryPressure.Relief.FAIL) return false;
            if (r == MemoryPressure.Relief.FORCE) {
                cg.forceChargeMemory(kind, bytes);
                break;
            }
        }
        Cgroup high = cg.overHigh();
        MemoryPressure p = pressure;
        if (high != null && p != null && high.memory().passHigh(bytes)) p.overHigh(high);
        return true;
    }

    public synchronized void retain(int frame) { refs[frame]++; }

    public synchronized int references(int frame) { return refs[frame]; }

    /** Drops one reference; the last one sends the frame to quarantine. */
    public synchronized void release(int frame) {
        if (refs[frame] <= 0) throw new IllegalStateException("frame " + frame + " released twice");
        if (--refs[frame] > 0) return;
        used--;
        Cgroup o = owners[frame];
        if (o != null) {
            owners[frame] = null;
            o.unchargeMemory(kinds[frame], PAGE_SIZE);
        }
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

    /** Frees the pool; frames still charged (held by the page cache, or by nobody's mapping any more) are given back. */
    @Override
    public void close() {
        synchronized (this) {
            for (int f = 0; f < frames; f++) {
                if (owners[f] != null) {
                    owners[f].unchargeMemory(kinds[f], PAGE_SIZE);
                    owners[f] = null;
                }
            }
        }
        arena.close();
    }
}
