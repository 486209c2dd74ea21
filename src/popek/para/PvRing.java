package popek.para;

/**
 * A shared-memory I/O ring the guest attaches with HC_RING_ATTACH and notifies once per batch (HC_CONSOLE_NOTIFY,
 * HC_BLOCK_SUBMIT). Whatever the guest wrote into the ring, a call answers with a count or a negated errno and
 * counts what was malformed; it never throws.
 */
public interface PvRing {
    /** Attaches the ring page at guest-physical {@code page}; returns the ring's size, or -errno. */
    int attach(long page);

    /** Serves what the guest produced since the last call; returns how much, or -errno (e.g. not attached). */
    int kick();

    /** Malformed ring contents seen so far (bad indices, buffers outside RAM, unknown operations). */
    long errors();

    /** Where a ring page may be: 0, or -EINVAL if {@code page} is not 4 KiB-aligned, -EFAULT if it is not in RAM. */
    static int checkPage(popek.memory.GuestMemory ram, long page) {
        if ((page & (popek.memory.GuestMemory.PAGE - 1)) != 0) return -PvAbi.EINVAL;
        return ram.contains(page, popek.memory.GuestMemory.PAGE) ? 0 : -PvAbi.EFAULT;
    }
}
