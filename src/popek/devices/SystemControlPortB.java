package popek.devices;

/**
 * Port 0x61, the PC's System Control Port B: bit 0 drives the PIT's channel 2 gate, bit 1 enables the speaker data
 * (stored; there is no sound), bits 2-3 are the parity/IOCHK check enables (stored). Reads add bit 5, channel 2's
 * OUT (Linux's PIT calibration and many delay loops poll it), and bit 4, the DRAM refresh toggle, which flips on
 * every read as in QEMU so loops that wait for it to change always make progress. Bits 6-7 (NMI sources) read 0.
 */
public final class SystemControlPortB implements BytePortDevice {
    public static final int PORT = 0x61;
    private static final int GATE2 = 0x01, SPEAKER_DATA = 0x02, WRITABLE = 0x0F, REFRESH_TOGGLE = 0x10, OUT2 = 0x20;
    private static final int SPEAKER_CHANNEL = 2;

    private final Pit8254 pit;
    private int control;
    private int refresh;

    public SystemControlPortB(Pit8254 pit) { this.pit = pit; }

    /** Claims port 0x61. */
    public void register(PortBus bus) { bus.register(PORT, 1, this); }

    @Override
    public int readByte(int port) {
        if (port != PORT) return 0xFF;
        refresh ^= REFRESH_TOGGLE;
        return control | refresh | (pit.output(SPEAKER_CHANNEL) ? OUT2 : 0);
    }

    @Override
    public void writeByte(int port, int value) {
        if (port != PORT) return;
        control = value & WRITABLE;
        pit.setGate(SPEAKER_CHANNEL, (value & GATE2) != 0);
    }

    /** True while the speaker would sound: channel 2 gated on and its output routed to the speaker. */
    public boolean speakerEnabled() { return (control & (GATE2 | SPEAKER_DATA)) == (GATE2 | SPEAKER_DATA); }
}
