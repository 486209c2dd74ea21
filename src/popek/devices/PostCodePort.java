package popek.devices;

/**
 * Port 0x80, where firmware writes its POST progress codes and which kernels write to as a ~1 us I/O delay
 * ({@code outb_p}). Writes are recorded (the last code and how many) and otherwise ignored; reads return all
 * ones, as on QEMU.
 */
public final class PostCodePort implements PortDevice {
    public static final int PORT = 0x80;

    private int lastCode = -1;
    private long writes;

    /** Claims 0x80. */
    public void register(PortBus bus) { bus.register(PORT, 1, this); }

    @Override
    public int read(int port, int size) { return PortBus.allOnes(size); }

    @Override
    public void write(int port, int size, int value) {
        lastCode = value & 0xFF;
        writes++;
    }

    /** The last byte written, or -1 if none. */
    public int lastCode() { return lastCode; }

    public long writes() { return writes; }
}
