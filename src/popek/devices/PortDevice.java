package popek.devices;

/**
 * A device on the x86 I/O-port bus. {@code port} is the absolute port number, {@code size} is 1, 2 or 4 bytes.
 * Called on the vCPU thread from the trap path: implementations must not allocate or block.
 */
public interface PortDevice {
    /** The value the guest reads; only the low {@code size * 8} bits are used. */
    int read(int port, int size);

    void write(int port, int size, int value);
}
