package popek.cpu;

/**
 * What became of a full-mode trap at a rewritten instruction ({@link FullVirtualization#trap}): the first four are
 * what emulating the instruction asks of the run loop besides its new EIP ({@link SensitiveEmulator#emulate} returns
 * only those), the last three are the trap's own outcomes, where nothing was emulated.
 */
enum TrapResult {
    /** Emulated; nothing more to do. */
    CONTINUE,
    /** {@code hlt}: the vCPU waits for an interrupt. */
    HALT,
    /** IF went from 0 to 1 with no interrupt shadow ({@code popf}, {@code iret}): a pending interrupt can be taken now. */
    INTERRUPT_WINDOW,
    /** {@code sti} that set IF, {@code mov ss}, {@code pop ss}: no interrupt until after the next instruction. */
    SHADOW,
    /** The {@code int3} is no rewritten instruction's: it is the guest's own breakpoint. */
    NOT_A_SITE,
    /**
     * An interrupt waits, IF is set, and the instruction is not the one in an sti's shadow: nothing was emulated and
     * EIP is back on the instruction, for the interrupt to be taken first, at this instruction boundary.
     */
    INTERRUPT_FIRST,
    /** The emulation raised a fault ({@link FullVirtualization#fault()}; vector -1: not emulated), EIP on the instruction. */
    FAULTED
}
