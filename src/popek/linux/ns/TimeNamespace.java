package popek.linux.ns;

import popek.linux.abi.Errno;

/**
 * A time namespace: offsets added to CLOCK_MONOTONIC and CLOCK_BOOTTIME for its tasks. The kernel's own clocks (the
 * initial namespace's, zero offsets) start at 0 when the container's kernel starts. A new namespace copies its
 * creator's offsets, which may be changed through /proc/[pid]/timens_offsets until a task first enters it.
 */
public final class TimeNamespace implements Namespace {
    /** KTIME_SEC_MAX: the largest number of seconds a ktime holds. */
    private static final long KTIME_SEC_MAX = Long.MAX_VALUE / 1_000_000_000L;

    private final long inode;
    private final UserNamespace owner;
    private volatile long monotonicOffset, boottimeOffset;
    private volatile boolean frozen;

    private TimeNamespace(long inode, UserNamespace owner, long monotonic, long boottime, boolean frozen) {
        this.inode = inode;
        this.owner = owner;
        this.monotonicOffset = monotonic;
        this.boottimeOffset = boottime;
        this.frozen = frozen;
    }

    public static TimeNamespace initial() { return new TimeNamespace(NsType.TIME.initialInode(), UserNamespace.INITIAL, 0, 0, true); }

    /** A new one (CLONE_NEWTIME) with this one's offsets, owned by {@code owner}, not yet entered. */
    public TimeNamespace copy(UserNamespace owner) { return new TimeNamespace(NsInodes.allocate(), owner, monotonicOffset, boottimeOffset, false); }

    /** Nanoseconds added to the kernel's CLOCK_MONOTONIC here. */
    public long monotonicOffset() { return monotonicOffset; }

    /** Nanoseconds added to the kernel's CLOCK_BOOTTIME here. */
    public long boottimeOffset() { return boottimeOffset; }

    /** A task entered it (was forked into it, or setns): its offsets are fixed from now on. */
    public void enter() { frozen = true; }

    /** /proc/[pid]/timens_offsets as Linux prints it. */
    public String showOffsets() {
        return line("monotonic", monotonicOffset) + line("boottime", boottimeOffset);
    }

    private static String line(String clock, long ns) {
        return String.format("%-10s %10d %9d%n", clock, Math.floorDiv(ns, 1_000_000_000L), Math.floorMod(ns, 1_000_000_000L));
    }

    /**
     * Writing /proc/[pid]/timens_offsets (at most two lines "CLOCK SECS NANOS", CLOCK monotonic, boottime, 1 or 7):
     * EINVAL for malformed lines, EPERM without CAP_SYS_TIME in its owner ({@code capable}), ERANGE for an offset
     * putting the clock (whose kernel value is {@code monotonicNow}, {@code boottimeNow}) below 0 or past half of
     * KTIME_SEC_MAX, EACCES once a task entered it.
     */
    public synchronized void writeOffsets(String text, boolean capable, long monotonicNow, long boottimeNow) {
        int n = 0;
        long[] secs = new long[2], nanos = new long[2];
        boolean[] isBoot = new boolean[2];
        for (String line : text.split("\n", -1)) {
            if (n == 2) break;
            String[] f = line.trim().split("\\s+");
            if (f.length < 3) throw Errno.error(Errno.EINVAL);
            try {
                secs[n] = Long.parseLong(f[1]);
                nanos[n] = Long.parseLong(f[2]);
            } catch (NumberFormatException e) {
                throw Errno.error(Errno.EINVAL);
            }
            if (nanos[n] < 0 || nanos[n] >= 1_000_000_000L) throw Errno.error(Errno.EINVAL);
            isBoot[n++] = switch (f[0]) {
                case "monotonic", "1" -> false;
                case "boottime", "7" -> true;
                default -> throw Errno.error(Errno.EINVAL);
            };
        }
        if (!capable) throw Errno.error(Errno.EPERM);
        for (int i = 0; i < n; i++) {
            if (secs[i] > KTIME_SEC_MAX || secs[i] < -KTIME_SEC_MAX) throw Errno.error(Errno.ERANGE);
            long now = isBoot[i] ? boottimeNow : monotonicNow;
            long at = Math.floorDiv(now + nanos[i], 1_000_000_000L) + secs[i];
            if (at < 0 || at > KTIME_SEC_MAX / 2) throw Errno.error(Errno.ERANGE);
        }
        if (frozen) throw Errno.error(Errno.EACCES);
        for (int i = 0; i < n; i++) {
            long v = secs[i] * 1_000_000_000L + nanos[i];
            if (isBoot[i]) boottimeOffset = v;
            else monotonicOffset = v;
        }
    }

    @Override
    public NsType type() { return NsType.TIME; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return owner; }
}
