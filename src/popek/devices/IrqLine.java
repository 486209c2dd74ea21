package popek.devices;

/** One interrupt request line from a device to an interrupt controller input (an ISA IRQ pin). */
@FunctionalInterface
public interface IrqLine {
    /** Drive the line high (true) or low (false). Edge-triggered inputs latch a request on low-to-high. */
    void set(boolean high);

    /** A low-high-low pulse: one edge, as an ISA device that just signals an event. */
    default void pulse() { set(false); set(true); set(false); }

    /**
     * Is a request this line raised still waiting to be taken by the CPU, so that another edge now would merge with
     * it? True while an unmasked controller input holds the request (the 8259's IRR, the local APIC's IRR for an
     * IOAPIC pin's vector). A timer that owes ticks ({@link Pit8254}) asks before raising the next one.
     */
    default boolean requestWaiting() { return false; }

    IrqLine NONE = high -> { };
}
