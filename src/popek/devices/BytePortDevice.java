package popek.devices;

/**
 * A device whose registers are 8 bits wide, as every legacy ISA chip's are. A PC's bus bridge splits a 16- or 32-bit
 * access to such a device into byte accesses at consecutive ports ({@code outw 0x4D0} writes 0x4D0, then 0x4D1), and
 * these defaults do the same, so each device only decodes single bytes. A byte that lands on a port the device does
 * not own must read as 0xFF and be dropped on write, as on the bus.
 */
public interface BytePortDevice extends PortDevice {
    int readByte(int port);

    void writeByte(int port, int value);

    @Override
    default int read(int port, int size) {
        int value = 0;
        for (int i = 0; i < size; i++) value |= (readByte(port + i) & 0xFF) << (8 * i);
        return value;
    }

    @Override
    default void write(int port, int size, int value) {
        for (int i = 0; i < size; i++) writeByte(port + i, (value >>> (8 * i)) & 0xFF);
    }
}
