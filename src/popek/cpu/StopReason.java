package popek.cpu;

/**
 * Why a machine stopped, and the process exit code that says so. The guest's own exits use 0 (power-off, reset) and
 * odd codes (debug-exit: (v << 1) | 1), so every stop the VMM decides on has an even code of its own.
 */
public record StopReason(Cause cause, int exitCode, String message) {
    /** The kinds of stop, each with its exit code (the guest's own exit's is the guest's). */
    public enum Cause {
        /** The guest powered off (port 0x604) or reset the machine (Popek stops, as QEMU -no-reboot does). */
        POWER_OFF(0),
        /** The guest chose its exit code: debug-exit's (v << 1) | 1, or a para guest's HC_EXIT. */
        GUEST_EXIT(-1),
        TRIPLE_FAULT(64),
        TIMEOUT(66),
        /** hlt with interrupts disabled, or a para guest's BLOCK with no event source left. */
        HALTED_FOREVER(68),
        /** The guest touched physical memory that does not exist. */
        UNMAPPED_MEMORY(70),
        /** The guest used something Popek does not emulate. */
        UNSUPPORTED(72),
        /** Popek itself failed. */
        INTERNAL_ERROR(74),
        /** Stopped from outside (Ctrl-C, a caller's own reason to stop). */
        INTERRUPTED(130);

        private final int exitCode;

        Cause(int exitCode) { this.exitCode = exitCode; }

        /** The process exit code of this kind of stop (-1 for {@link #GUEST_EXIT}: the guest's own). */
        public int exitCode() { return exitCode; }
    }

    public StopReason {
        if (cause == Cause.GUEST_EXIT ? (exitCode & 1) == 0 : exitCode != cause.exitCode) {
            throw new IllegalArgumentException("exit code " + exitCode + " for a stop by " + cause);
        }
    }

    /** A stop of a kind with a fixed exit code (not {@link Cause#GUEST_EXIT}). */
    public StopReason(Cause cause, String message) { this(cause, cause.exitCode, message); }

    /** The guest's own exit (a device or hypercall asked for it): 0 is a power-off or reset, an odd code the guest's. */
    public static StopReason guestExit(int exitCode, String message) {
        return new StopReason(exitCode == 0 ? Cause.POWER_OFF : Cause.GUEST_EXIT, exitCode, message);
    }

    /** True when the guest chose to stop (power-off or debug-exit), as opposed to the VMM stopping it. */
    public boolean byGuest() { return cause == Cause.POWER_OFF || cause == Cause.GUEST_EXIT; }
}
