package popek.cpu;

/**
 * Why a machine stopped, and the process exit code that says so. The guest's own exits use 0 (power-off) and odd
 * codes (debug-exit: (v << 1) | 1), so every stop the VMM decides on has an even code of its own.
 */
public record StopReason(int exitCode, String message) {
    public static final int POWER_OFF = 0;
    public static final int USAGE = 2;
    public static final int NATIVE_LIBRARY = 4;
    public static final int TRIPLE_FAULT = 64;
    public static final int TIMEOUT = 66;
    public static final int HALTED_FOREVER = 68;
    public static final int UNMAPPED_MEMORY = 70;
    public static final int UNSUPPORTED = 72;
    public static final int INTERNAL_ERROR = 74;
    public static final int INTERRUPTED = 130;

    /** True when the guest chose to stop (power-off or debug-exit), as opposed to the VMM stopping it. */
    public boolean byGuest() { return exitCode == POWER_OFF || (exitCode & 1) == 1 && exitCode != INTERRUPTED; }
}
