package popek.debug;

import popek.engine.Hooks;

/**
 * A debugger's data watchpoints, through the shadow MMU. A page holding watched bytes is never translated for the
 * kind of access that is watched (writing, for a write watch; reading, for a read watch): such an access is refused,
 * which ends the run with EIP on the instruction and nothing done. The debugger then lets that one instruction through
 * ({@link #allowOnce}: every translation is granted) with a single step, and afterwards compares what it did with
 * the watches ({@link #hit}), so a hit is reported at the instruction after the access, as gdb expects. Accesses to
 * the rest of the page cost one step each; pages without watches cost nothing.
 */
final class Watchpoints {
    static final int MAX = 64;
    private static final int ON_WRITE = 1, ON_READ = 2;

    private final long[] address = new long[MAX];
    private final int[] length = new int[MAX];
    private final WatchKind[] kind = new WatchKind[MAX];
    private int count;

    private boolean allowing;
    private boolean refused, refusedWrite;
    /** The watched bytes before the instruction let through, to see whether it changed them. */
    private final byte[][] before = new byte[MAX][];

    boolean any() { return count > 0; }

    boolean insert(long at, int len, WatchKind k) {
        if (len <= 0 || count == MAX) return false;
        address[count] = at & 0xFFFFFFFFL;
        length[count] = len;
        kind[count++] = k;
        return true;
    }

    boolean remove(long at, int len, WatchKind k) {
        at &= 0xFFFFFFFFL;
        for (int i = 0; i < count; i++) {
            if (address[i] == at && length[i] == len && kind[i] == k) {
                count--;
                address[i] = address[count];
                length[i] = length[count];
                kind[i] = kind[count];
                return true;
            }
        }
        return false;
    }

    void clear() { count = 0; }

    /** What is watched on linear page {@code page}: {@link #ON_WRITE}, {@link #ON_READ}, both, or 0. */
    private int watchedOn(long page) {
        int what = 0;
        for (int i = 0; i < count; i++) {
            long first = address[i] & ~0xFFFL, last = (address[i] + length[i] - 1) & ~0xFFFL;
            if (page < first || page > last) continue;
            if (kind[i].onWrite()) what |= ON_WRITE;
            if (kind[i].onRead()) what |= ON_READ;
        }
        return what;
    }

    /**
     * A data translation of linear page {@code page}: returns the permissions to grant, or -1 to refuse it (the access
     * is watched; {@code mayRefuse} false when a refusal cannot be taken, as for a descriptor the host is loading).
     */
    int permissions(long page, boolean write, int perms, boolean mayRefuse) {
        if (count == 0 || allowing) return perms;
        int what = watchedOn(page & 0xFFFFF000L);
        if (what == 0 || !mayRefuse) return perms;
        if ((write ? (what & ON_WRITE) != 0 : (what & ON_READ) != 0)) {
            refused = true;
            refusedWrite = write;
            return -1;
        }
        // Granted for this kind of access only: the watched kind must still come back here.
        if ((what & ON_WRITE) != 0) perms &= ~Hooks.TlbFill.WRITE;
        if ((what & ON_READ) != 0) perms &= ~Hooks.TlbFill.READ;
        return perms;
    }

    /** Did the last run end on a refusal of ours? Clears it; {@link #refusedWrite()} then says which access. */
    boolean takeRefusal() {
        boolean r = refused;
        refused = false;
        return r;
    }

    boolean refusedWrite() { return refusedWrite; }

    /** Grants every translation until {@link #endAllowance}, noting the watched bytes first. */
    void allowOnce(GuestView memory) {
        allowing = true;
        for (int i = 0; i < count; i++) {
            if (before[i] == null || before[i].length < length[i]) before[i] = new byte[Math.max(8, length[i])];
            memory.readLinear(address[i], before[i], 0, length[i]);
        }
    }

    boolean allowing() { return allowing; }

    void endAllowance() { allowing = false; }

    /** A watchpoint that was hit: gdb is told its kind and the address accessed. */
    record Hit(WatchKind kind, long address) { }

    /**
     * After the instruction let through: the watch it hit, or null. It hit one when its access at linear
     * {@code at} ({@code size} bytes, as decoded) overlaps a watch of that kind of access, or when it changed the
     * bytes of a write watch (an access the decoding sized wrong, or a second access of the same instruction).
     */
    Hit hit(long at, int size, boolean write, GuestView memory) {
        at &= 0xFFFFFFFFL;
        byte[] now = new byte[8];
        for (int i = 0; i < count; i++) {
            boolean kindMatches = write ? kind[i].onWrite() : kind[i].onRead();
            long start = address[i], end = start + length[i];
            if (kindMatches && at < end && at + size > start) return new Hit(kind[i], Math.max(at, start));
            if (kind[i].onWrite() && write) {
                if (now.length < length[i]) now = new byte[length[i]];
                int n = memory.readLinear(start, now, 0, length[i]);
                if (!java.util.Arrays.equals(now, 0, n, before[i], 0, n)) return new Hit(kind[i], start);
            }
        }
        return null;
    }
}
