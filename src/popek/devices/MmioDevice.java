package popek.devices;

/**
 * A device behind a range of guest-physical addresses (the local APIC's page, the IOAPIC's window). Called on the
 * vCPU thread from the trap a guest access to that range raises, so an implementation must neither allocate nor
 * block.
 */
public interface MmioDevice {
    /** A guest load at {@code offset} from the device's base address; size 1, 2 or 4. Only the low size*8 bits count. */
    int read(int offset, int size);

    /** A guest store at {@code offset} from the device's base address; size 1, 2 or 4, the value in its low bits. */
    void write(int offset, int size, int value);
}
