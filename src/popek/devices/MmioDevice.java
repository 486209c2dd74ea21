package popek.devices;

/**
 * A device on the memory bus: its registers are guest-physical addresses (the local APIC at 0xFEE00000, the IOAPIC at
 * 0xFEC00000). {@code offset} is from the device's base, {@code size} 1, 2 or 4 bytes. Called on the vCPU thread from
 * the trap path: implementations must not allocate or block.
 */
public interface MmioDevice {
    /** The value the guest reads; only the low {@code size * 8} bits are used. */
    int read(int offset, int size);

    void write(int offset, int size, int value);
}
