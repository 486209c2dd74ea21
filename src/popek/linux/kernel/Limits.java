package popek.linux.kernel;

/** Resource limits (RLIMIT_*, asm-generic/resource.h) and the defaults a process starts with. */
public final class Limits {
    private Limits() { }

    public static final int CPU = 0, FSIZE = 1, DATA = 2, STACK = 3, CORE = 4, RSS = 5, NPROC = 6, NOFILE = 7,
            MEMLOCK = 8, AS = 9, LOCKS = 10, SIGPENDING = 11, MSGQUEUE = 12, NICE = 13, RTPRIO = 14, RTTIME = 15, COUNT = 16;
    /** RLIM_INFINITY as the 64-bit prlimit64 sees it. */
    public static final long INFINITY = -1L;

    static void setDefaults(long[] soft, long[] hard) {
        java.util.Arrays.fill(soft, INFINITY);
        java.util.Arrays.fill(hard, INFINITY);
        soft[STACK] = 8L << 20;
        soft[CORE] = 0;
        soft[NOFILE] = FdTable.DEFAULT_LIMIT;
        hard[NOFILE] = 1L << 20;
        soft[NPROC] = hard[NPROC] = 4096;
        soft[SIGPENDING] = hard[SIGPENDING] = 4096;
        soft[MEMLOCK] = hard[MEMLOCK] = 8L << 20;
        soft[MSGQUEUE] = hard[MSGQUEUE] = 819200;
        soft[NICE] = hard[NICE] = 0;
        soft[RTPRIO] = hard[RTPRIO] = 0;
    }
}
