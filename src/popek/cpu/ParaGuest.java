package popek.cpu;

/**
 * What the vCPU asks of a para-virtualised guest's interface ({@code popek.para}): hypercalls on the hypercall port,
 * the event upcall, and the virtual trap table that replaces the IDT. Implemented outside this package so the vCPU
 * stays ignorant of the ABI; every method runs on the vCPU thread and allocates nothing.
 */
public interface ParaGuest {
    /** What {@link #upcallState} says. */
    enum Upcall {
        /** No event is pending (or the guest has set no callback yet). */
        NONE,
        /** One is pending but the guest has masked events: the loop polls, since unmasking is a plain store. */
        MASKED,
        /** One is pending and may be delivered now. */
        READY
    }

    /** Hypercall effects the vCPU must act on ({@link #effects} after {@link #hypercall}). */
    int EFFECT_PAGING = 1, EFFECT_BLOCK = 2, EFFECT_TIMER = 4;

    /** The hypercall port's read: EAX after the call. {@code cpl} is the caller's privilege level. */
    int hypercall(int cpl);

    /** What the last hypercall asks of the vCPU (EFFECT_* bits). */
    int effects();

    /** Each run-loop pass, with the current virtual time (the shared-info page's clock). */
    void tick(long now);

    /** Is an event pending, and may it be delivered (NONE until the guest has set a callback)? Reads guest RAM only. */
    Upcall upcallState();

    /**
     * The upcall's gate, as an IDT descriptor (a 32-bit interrupt gate to the callback); only when
     * {@link #upcallState} is {@link Upcall#READY}. Calling it sets the guest's upcall mask: the vCPU then delivers through the gate.
     */
    long takeUpcall();

    /** Could an event ever come if the guest blocks now (a timer set, a ring that may produce input)? */
    boolean canWake();

    /** Has the guest replaced the IDT with a trap table? */
    boolean hasTrapTable();

    /** The trap table's gate for {@code vector}, as an IDT descriptor, or 0 when it has no entry. */
    long trapGate(int vector);

    /** After delivering through {@link #trapGate}: an entry marked to mask events sets the upcall mask. */
    void trapDelivered(int vector);
}
