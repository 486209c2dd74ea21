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
}
