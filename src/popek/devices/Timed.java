package popek.devices;

/**
 * A device with something to do at a point in virtual time (a timer that fires, a character that finishes
 * transmitting). The run loop asks every timed device for its next deadline, arms a host timer for the earliest,
 * and calls {@link #advance} when virtual time reaches it. Both are called on the vCPU thread only.
 */
public interface Timed {
    long NEVER = Long.MAX_VALUE;

    /** The virtual time (ns) of this device's next event, or {@link #NEVER}. */
    long nextDeadline();

    /** Bring the device up to virtual time {@code now}: fire whatever was due (raise IRQs), schedule the next. */
    void advance(long now);

    /**
     * Is a deadline this device gains while the guest runs worth stopping the guest for (a timer the guest just
     * started)? The run loop then re-arms its host timer at once. A device whose deadlines are housekeeping (flushing
     * output) says no, and waits for the run loop to come round.
     */
    default boolean wakesGuest() { return true; }
}
