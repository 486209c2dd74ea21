package popek.debug;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import popek.engine.Hooks;
import popek.engine.HostMemory;
import popek.engine.Unicorn;
import popek.memory.GuestMemory;

/**
 * A debugger's code breakpoints, kept out of the guest's sight. Each is a linear address (as gdb and QEMU mean them:
 * CS base plus EIP). A page of code with a breakpoint runs, while any is set, from a <em>copy</em> in a pool of host
 * memory mapped above everything else: the page the engine would have run (its RAM page, or its shadow in full mode)
 * with {@code int3} at each breakpoint's offset, mapped for fetching only. Reads and writes of the page still reach
 * the guest's own bytes, so neither the guest nor a debugger reading memory ever sees the {@code int3}.
 *
 * <p>The shadow MMU asks for a copy on every fetch translation of a page that has breakpoints ({@link #codePage}). A
 * copy is reused while the page it was made from is unchanged; a changed page (self-modifying code, a full-mode shadow
 * rebuilt) gets a fresh copy in a new slot, since translations of the old one may still be cached, and a pool that runs
 * low asks to be emptied between runs ({@link #purgeWanted}), once the engine's translations are dropped.
 */
final class CodeBreakpoints {
    /** Guest-physical address of the pool: 32 GiB, above RAM (below 4 GiB) and full mode's shadow pools (from 4 GiB). */
    static final long POOL_BASE = 0x8_0000_0000L;
    static final int POOL_PAGES = 64, MAX = 256;
    private static final int PAGE = 4096, RESERVE = 4;
    private static final byte INT3 = (byte) 0xCC;

    /** What kind of breakpoint gdb asked for: it is told which one was hit. */
    enum Kind { NONE, SOFTWARE, HARDWARE }

    private final Unicorn uc;
    private final GuestMemory ram;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment pool;
    private final MemorySegment scratch;
    private final byte[] bytes = new byte[PAGE];

    private final long[] address = new long[MAX];
    private final Kind[] kind = new Kind[MAX];
    private int count;

    // The pool: per slot, the linear page it serves, the page it was copied from, that page's RAM page, its bytes.
    private final long[] slotLinear = new long[POOL_PAGES], slotSource = new long[POOL_PAGES], slotRam = new long[POOL_PAGES];
    private final byte[][] slotOriginal = new byte[POOL_PAGES][];
    private final boolean[] slotCurrent = new boolean[POOL_PAGES];
    private int used;
    private boolean purgeWanted;

    /** Ends the current run at the next block, telling the run loop it was the debugger's doing. */
    private final Runnable stopEngine;

    CodeBreakpoints(Unicorn uc, GuestMemory ram, Runnable stopEngine) {
        this.uc = uc;
        this.stopEngine = stopEngine;
        this.ram = ram;
        this.pool = HostMemory.anonymous((long) POOL_PAGES * PAGE, arena);
        this.scratch = arena.allocate(PAGE, PAGE);
        uc.mapRam(POOL_BASE, pool);
    }

    boolean any() { return count > 0; }

    /** Adds a breakpoint at linear {@code at}; false when too many are set. */
    boolean insert(long at, Kind k) {
        at &= 0xFFFFFFFFL;
        for (int i = 0; i < count; i++) {
            if (address[i] == at) {
                kind[i] = k;
                return true;
            }
        }
        if (count == MAX) return false;
        address[count] = at;
        kind[count++] = k;
        return true;
    }

    /** Removes the breakpoint at {@code at}; false if there was none. */
    boolean remove(long at) {
        at &= 0xFFFFFFFFL;
        for (int i = 0; i < count; i++) {
            if (address[i] == at) {
                address[i] = address[--count];
                kind[i] = kind[count];
                return true;
            }
        }
        return false;
    }

    void clear() { count = 0; }

    /** The kind of breakpoint at linear {@code at}, or {@link Kind#NONE}. */
    Kind at(long at) {
        for (int i = 0; i < count; i++) if (address[i] == at) return kind[i];
        return Kind.NONE;
    }

    private boolean onPage(long linearPage) {
        for (int i = 0; i < count; i++) if ((address[i] & ~0xFFFL) == linearPage) return true;
        return false;
    }

    // ---------------------------------------------------------------- the shadow MMU's side (inside the TLB-fill hook)

    /**
     * The page to run linear page {@code linearPage} from: {@code runFrom} when it has no breakpoint, else a copy of
     * {@code runFrom} with them in.
     */
    long codePage(long linearPage, long runFrom, long ramPage) {
        linearPage &= 0xFFFFF000L;
        if (!onPage(linearPage)) return runFrom;
        if (!read(runFrom)) return runFrom;   // nothing there to copy: let the fetch fail as it would
        for (int s = 0; s < used; s++) {
            if (slotCurrent[s] && slotLinear[s] == linearPage && slotSource[s] == runFrom) {
                if (java.util.Arrays.equals(bytes, slotOriginal[s])) {
                    return POOL_BASE + (long) s * PAGE;
                }
                slotCurrent[s] = false;   // the page changed: its translations may still be cached, so a new slot
            }
        }
        if (used == POOL_PAGES) return runFrom;   // (never: the pool is emptied before it fills; see RESERVE)
        int s = used++;
        if (used >= POOL_PAGES - RESERVE && !purgeWanted) {
            purgeWanted = true;
            stopEngine.run();
        }
        slotLinear[s] = linearPage;
        slotSource[s] = runFrom;
        slotRam[s] = ramPage & ~0xFFFL;
        slotCurrent[s] = true;
        if (slotOriginal[s] == null) slotOriginal[s] = new byte[PAGE];
        System.arraycopy(bytes, 0, slotOriginal[s], 0, PAGE);
        for (int i = 0; i < count; i++) {
            if ((address[i] & ~0xFFFL) == linearPage) bytes[(int) (address[i] & 0xFFF)] = INT3;
        }
        MemorySegment.copy(bytes, 0, pool, ValueLayout.JAVA_BYTE, (long) s * PAGE, PAGE);
        return POOL_BASE + (long) s * PAGE;
    }

    /** The 4 KiB at {@code page} (RAM, or a full-mode shadow elsewhere in the engine's memory) into {@link #bytes}. */
    private boolean read(long page) {
        if (ram.contains(page, PAGE)) {
            ram.read(page, bytes, 0, PAGE);
            return true;
        }
        if (!uc.readPhysical(page, scratch)) return false;
        MemorySegment.copy(scratch, ValueLayout.JAVA_BYTE, 0, bytes, 0, PAGE);
        return true;
    }

    /**
     * A data translation of linear page {@code linearPage} (RAM page {@code ramPage}): a page with breakpoints must
     * not be fetched through it (so that its next fetch comes back for the copy), and a page that has a copy must come
     * back here to be written, so that its copy is checked again before it next runs.
     */
    int dataPermissions(long linearPage, long ramPage, boolean write, int perms) {
        if (count == 0) return perms;
        if (onPage(linearPage & 0xFFFFF000L)) perms &= ~Hooks.TlbFill.EXEC;
        long frame = ramPage & ~0xFFFL;
        for (int s = 0; s < used; s++) {
            if (!slotCurrent[s] || slotRam[s] != frame) continue;
            if (!write) return perms & ~Hooks.TlbFill.WRITE;
            // Being written: every translation that runs its copy must go (under any alias), and the engine must leave
            // the translated code it may be chained into, so that the next fetch compares the page again.
            uc.flushTlb();
            stopEngine.run();
            return perms;
        }
        return perms;
    }

    /** Has the pool run low (the caller drops the engine's translated code, then calls {@link #reset})? */
    boolean purgeWanted() { return purgeWanted; }

    /** Forgets every copy; the caller has dropped every translation the engine made (uc_ctl_flush_tb). */
    void reset() {
        used = 0;
        purgeWanted = false;
    }

    void close() { arena.close(); }
}
