package popek.cpu;

import popek.translate.ShadowCode;

/**
 * What one execution mode does with the engine's exits: the hooks it installs (exceptions, {@code int n}, rewritten
 * instructions' traps) and what the run loop asks of it between runs. One per mode ({@link EmulateExits},
 * {@link FullExits}, {@link ParaExits}), chosen once when the vCPU is built, so the loop never asks which mode it is in.
 * Every method runs on the vCPU thread.
 */
interface ExitHandler extends AutoCloseable {
    /**
     * Between runs, at virtual time {@code now}: delivers the event that is pending (an external interrupt, or a para
     * guest's upcall) if the guest may take it now. {@code halted}: the guest waits in {@code hlt} (no interrupt
     * shadow can hold the event then).
     */
    EventCheck deliverEvents(long now, boolean halted);

    /** The guest is halted: could anything ever wake it? */
    boolean canWake();

    /** Why the guest stops when it is halted and {@link #canWake} says no. */
    StopReason haltedForever();

    /**
     * The run ended with {@code UC_ERR_EXCEPTION}: if it was the shadow MMU refusing a translation (Unicorn stopped on
     * the instruction and raised nothing), delivers the guest's #PF and returns true.
     */
    boolean deliverRefusedPageFault();

    /** After a run that ended without an engine error: housekeeping that cannot be done inside a hook. */
    void afterRun();

    /**
     * Did the run end at a {@code hlt} the engine executed itself (Unicorn returns from it as from a stop, with EIP
     * past the {@code F4})? {@code stopped}: a stop was asked for too, so the byte before EIP may be a coincidence.
     */
    boolean ranHlt(boolean stopped);

    /** Full mode's shadow code pages (for tests and statistics), or null. */
    ShadowCode shadowCode();

    /** Releases what the mode opened (the shadow pools); the engine belongs to the caller. */
    @Override
    void close();
}
