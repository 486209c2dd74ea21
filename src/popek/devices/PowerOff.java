package popek.devices;

/**
 * QEMU's ACPI power-off as bare-metal guests use it: a 16-bit write to PM1a_CNT at port 0x604 with SLP_EN (bit 13)
 * set and SLP_TYP (bits 12-10) = 0, QEMU's S5 type, stops the machine with exit code 0. The canonical value is
 * 0x2000; the other PM1 control bits (SCI_EN and the like) may ride along, as an ACPI driver that preserves them
 * writes. Byte and dword writes, other sleep types, and writes without SLP_EN are ignored. A read returns the
 * last value written, SLP_EN reading 0 as ACPI specifies.
 */
public final class PowerOff implements PortDevice {
    public static final int PORT = 0x604;
    private static final int SLEEP_ENABLE = 1 << 13, SLEEP_TYPE = 7 << 10, SOFT_OFF = 0;

    private final MachineControl machine;
    private int control;

    public PowerOff(MachineControl machine) { this.machine = machine; }

    /** Claims 0x604-0x605 (the 16-bit PM1a control register). */
    public void register(PortBus bus) { bus.register(PORT, 2, this); }

    @Override
    public int read(int port, int size) {
        if (port != PORT) return PortBus.allOnes(size);
        return control;
    }

    @Override
    public void write(int port, int size, int value) {
        if (port != PORT || size != 2) return;
        control = value & 0xFFFF & ~SLEEP_ENABLE;
        if ((value & SLEEP_ENABLE) != 0 && (value & SLEEP_TYPE) == SOFT_OFF) machine.exit(0, "guest powered off");
    }
}
