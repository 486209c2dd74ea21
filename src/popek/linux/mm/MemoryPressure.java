package popek.linux.mm;

import popek.cgroup.Cgroup;

/**
 * What the page pool asks of the kernel when a charge meets a cgroup's limits (Linux's memcg reclaim and OOM
 * killer): make room under a memory.max, or act on a memory.high passed.
 */
public interface MemoryPressure {
    /**
     * {@code over} is at its memory.max and a charge of {@code bytes} more was refused: reclaim what can be (clean
     * page-cache pages), and when that is not enough and {@code mayKill}, OOM-kill in {@code over}. True when room was
     * made and the charge should be tried again; false when the charge fails (the caller may be the victim).
     */
    boolean relieve(Cgroup over, long bytes, boolean mayKill);

    /** {@code over}'s usage went past its memory.high: count the event and reclaim toward it (never kill). */
    void overHigh(Cgroup over);
}
