package popek.cpu;

/** Where a vCPU's run loop is: what it does next, and whether anyone can still make it run. */
public enum RunState {
    /** Built, not yet run. */
    READY,
    /** Running guest code, or about to enter the engine again. */
    RUNNING,
    /** The guest waits for an interrupt ({@code hlt}, a para {@code BLOCK}): parked until an event or a deadline. */
    HALTED,
    /** A stop was asked for (by the guest, a device, the loop, or another thread): the loop is winding down. */
    STOPPING,
    /** The run is over; {@link Vcpu#run} has returned or is returning the reason. */
    STOPPED
}
