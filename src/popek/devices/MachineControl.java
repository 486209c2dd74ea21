package popek.devices;

/** What a device may ask of the machine it sits in: to end the run (power-off, debug-exit). */
@FunctionalInterface
public interface MachineControl {
    /** Stop the machine after the current instruction; the process exits with {@code exitCode}. */
    void exit(int exitCode, String reason);
}
