package popek.devices;

/** What the vCPU asks of its interrupt controller when it may take an external interrupt (INTR pin semantics). */
public interface InterruptController {
    /** True if an unmasked request is waiting to be delivered to the CPU (the INTR pin is asserted). */
    boolean hasPendingInterrupt();

    /** The CPU's interrupt-acknowledge cycle: returns the vector to deliver and moves the request into service. */
    int acknowledge();
}
