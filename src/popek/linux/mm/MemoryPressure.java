package popek.linux.mm;

import popek.cgroup.Cgroup;

/**
 * What the page pool asks of the kernel when a charge meets a cgroup's limits (Linux's memcg reclaim and OOM
 * killer): make room under a memory.max, or act on a memory.high passed.
 */
public interface MemoryPressure {
    /** What to do with a charge refused at a memory.max, once the kernel has done what it could. */
    enum Relief {
        /** Room was made: try the charge again. */
        RETRY,
        /** The charge fails (the task asking may be the OOM killer's victim). */
        FAIL,
        /** Charge past the limit: the task asking is dying and needs the memory to finish (Linux's forced charge). */
        FORCE
    }

    /**
     * {@code over} is at its memory.max and a charge of {@code bytes} more was refused: reclaim what can be (clean
     * page-cache pages), and when that is not enough and {@code mayKill}, OOM-kill in {@code over}.
     */
    Relief relieve(Cgroup over, long bytes, boolean mayKill);

    /** {@code over}'s usage went past its memory.high: count the event and reclaim toward it (never kill). */
    void overHigh(Cgroup over);
}
