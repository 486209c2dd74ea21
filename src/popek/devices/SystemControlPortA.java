package popek.devices;

/**
 * Port 0x92, System Control Port A ("fast A20"): bit 1 is the A20 gate, bit 0 written as 1 resets the machine (Popek
 * stops, as QEMU does with -no-reboot). Reads give back bit 1 and 0 in bit 0.
 */
public final class SystemControlPortA implements BytePortDevice {
    public static final int PORT = 0x92;

    private final A20Gate a20;
    private final MachineControl machine;

    public SystemControlPortA(A20Gate a20, MachineControl machine) {
        this.a20 = a20;
        this.machine = machine;
    }

    public void register(PortBus bus) { bus.register(PORT, 1, this); }

    @Override
    public int readByte(int port) { return port == PORT ? (a20.enabled() ? 2 : 0) : 0xFF; }

    @Override
    public void writeByte(int port, int value) {
        if (port != PORT) return;
        a20.set((value & 2) != 0);
        if ((value & 1) != 0) machine.exit(0, "the guest reset the machine (port 0x92); Popek stops, as QEMU -no-reboot does");
    }
}
