package popek.devices;

/**
 * A PC/AT's pair of 8259A interrupt controllers: the master at ports 0x20/0x21 takes IRQ0-7, the slave at
 * 0xA0/0xA1 takes IRQ8-15 and drives the master's IR2; the ELCR at 0x4D0/0x4D1 sets each IRQ edge- or
 * level-triggered (IRQ0, 1, 2, 8 and 13 are always edge, as on a PIIX).
 *
 * <p>Edge-triggered requests latch on the line's rising edge and stay latched when it falls (as QEMU, so an ISA
 * device's {@link IrqLine#pulse()} is one request); level-triggered requests last while the line is high. A request
 * that is gone by the time the CPU acknowledges yields the spurious vector: IR7 of the master (IRQ7), or IR7 of the
 * slave (IRQ15) with the master's IR2 put in service, which is why a guest EOIs only the master for a spurious IRQ15.
 *
 * <p>At power-on both chips are uninitialised (vector base 0, nothing masked), as there is no BIOS to program them;
 * the guest's ICW sequence, or {@link #initialise}, sets them up.
 */
public final class Pic8259 implements InterruptController, BytePortDevice {
    public static final int MASTER_COMMAND = 0x20, MASTER_DATA = 0x21;
    public static final int SLAVE_COMMAND = 0xA0, SLAVE_DATA = 0xA1;
    public static final int ELCR_MASTER = 0x4D0, ELCR_SLAVE = 0x4D1;
    public static final int CASCADE_IRQ = 2;
    private static final int SPURIOUS = 7;

    private final Pic8259Chip master = new Pic8259Chip(true, 0xF8);
    private final Pic8259Chip slave = new Pic8259Chip(false, 0xDE);
    private final IrqLine[] lines = new IrqLine[16];

    public Pic8259() {
        for (int n = 0; n < 16; n++) {
            int input = n == CASCADE_IRQ ? 9 : n;   // the ISA bus's IRQ2 pin is wired to IRQ9 on an AT
            lines[n] = new IrqLine() {
                @Override
                public void set(boolean high) { setIrq(input, high); }

                @Override
                public boolean requestWaiting() { return waiting(input); }
            };
        }
    }

    /** Claims 0x20-0x21, 0xA0-0xA1 and 0x4D0-0x4D1. */
    public void register(PortBus bus) {
        bus.register(MASTER_COMMAND, 2, this);
        bus.register(SLAVE_COMMAND, 2, this);
        bus.register(ELCR_MASTER, 2, this);
    }

    /**
     * The line a device drives for ISA IRQ n (0-15). IRQ2 is the cascade and not a pin of its own: as on an AT, a
     * device wired to IRQ2 really raises IRQ9.
     */
    public IrqLine irq(int n) {
        if (n < 0 || n >= 16) throw new IllegalArgumentException("no IRQ " + n + " on a PC's 8259 pair");
        return lines[n];
    }

    private void setIrq(int n, boolean high) {
        if (n < 8) {
            master.setInput(n, high);
        } else {
            slave.setInput(n - 8, high);
            cascade();
        }
    }

    /** Input n (0-15) holds a request that its chip has not masked and the CPU has not acknowledged. */
    private boolean waiting(int n) {
        Pic8259Chip chip = n < 8 ? master : slave;
        return (chip.irr() & ~chip.imr() & 1 << (n & 7)) != 0;
    }

    /** The slave's INT output is the master's IR2 input. */
    private void cascade() { master.setInput(CASCADE_IRQ, slave.highestRequest() >= 0); }

    // ---------------------------------------------------------------- InterruptController

    @Override
    public boolean hasPendingInterrupt() { return master.highestRequest() >= 0; }

    @Override
    public int acknowledge() {
        int n = master.highestRequest();
        if (n < 0) return master.vector(SPURIOUS);   // the request went away between INTR and INTA
        int vector;
        if (n == CASCADE_IRQ) {
            int s = slave.highestRequest();
            if (s >= 0) {
                slave.acknowledge(s);
                vector = slave.vector(s);
            } else {
                vector = slave.vector(SPURIOUS);
            }
        } else {
            vector = master.vector(n);
        }
        master.acknowledge(n);
        // The acknowledge cycle drops the slave's INT; if the slave still has an unblocked request (auto-EOI, or a
        // higher-priority one arrived), it rises again and re-latches IR2 instead of being lost.
        if (n == CASCADE_IRQ) master.setInput(CASCADE_IRQ, false);
        cascade();
        return vector;
    }

    // ---------------------------------------------------------------- ports

    @Override
    public int readByte(int port) {
        int v = switch (port) {
            case MASTER_COMMAND -> master.readCommand();
            case MASTER_DATA -> master.readData();
            case SLAVE_COMMAND -> slave.readCommand();
            case SLAVE_DATA -> slave.readData();
            case ELCR_MASTER -> master.elcr();
            case ELCR_SLAVE -> slave.elcr();
            default -> 0xFF;
        };
        // A poll read on the slave acknowledges, which can drop its output.
        if (port == SLAVE_COMMAND || port == SLAVE_DATA) cascade();
        return v;
    }

    @Override
    public void writeByte(int port, int value) {
        switch (port) {
            case MASTER_COMMAND -> master.writeCommand(value);
            case MASTER_DATA -> master.writeData(value);
            case SLAVE_COMMAND -> slave.writeCommand(value);
            case SLAVE_DATA -> slave.writeData(value);
            case ELCR_MASTER -> master.writeElcr(value);
            case ELCR_SLAVE -> slave.writeElcr(value);
            default -> { }
        }
        if (port == SLAVE_COMMAND || port == SLAVE_DATA || port == ELCR_SLAVE) cascade();
    }

    /**
     * Programs both chips as a PC BIOS does (edge-triggered, cascaded, 8086 mode, normal EOI), with the given
     * vector bases and all IRQs but the cascade masked: for a machine that boots a kernel expecting BIOS state.
     */
    public void initialise(int masterVectorBase, int slaveVectorBase) {
        writeByte(MASTER_COMMAND, 0x11);
        writeByte(MASTER_DATA, masterVectorBase);
        writeByte(MASTER_DATA, 1 << CASCADE_IRQ);
        writeByte(MASTER_DATA, 0x01);
        writeByte(SLAVE_COMMAND, 0x11);
        writeByte(SLAVE_DATA, slaveVectorBase);
        writeByte(SLAVE_DATA, CASCADE_IRQ);
        writeByte(SLAVE_DATA, 0x01);
        writeByte(MASTER_DATA, 0xFF & ~(1 << CASCADE_IRQ));
        writeByte(SLAVE_DATA, 0xFF);
    }

    /** Power-on state. Devices should re-assert their lines afterwards. */
    public void reset() {
        master.reset();
        slave.reset();
    }

    // ---------------------------------------------------------------- state (slave in bits 15..8), for tests and --stats

    public int irr() { return slave.irr() << 8 | master.irr(); }

    public int isr() { return slave.isr() << 8 | master.isr(); }

    public int imr() { return slave.imr() << 8 | master.imr(); }

    public int elcr() { return slave.elcr() << 8 | master.elcr(); }
}
