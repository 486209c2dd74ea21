package popek.devices;

/** One interrupt request line from a device to an interrupt controller input (an ISA IRQ pin). */
@FunctionalInterface
public interface IrqLine {
    /** Drive the line high (true) or low (false). Edge-triggered inputs latch a request on low-to-high. */
    void set(boolean high);

    /** A low-high-low pulse: one edge, as an ISA device that just signals an event. */
    default void pulse() { set(false); set(true); set(false); }

    IrqLine NONE = high -> { };
}
