package popek.devices;

/**
 * QEMU's isa-debug-exit device as test kernels configure it ({@code iobase=0xf4,iosize=4}): writing a value v of
 * any size to ports 0xF4-0xF7 ends the run with exit status {@code (v << 1) | 1}, so a guest can never report a
 * plain 0 (success is conventionally a chosen odd code, e.g. writing 0x10 exits with 33). The full int goes to
 * {@link MachineControl#exit}; a POSIX process status keeps its low 8 bits. Reads return 0, as QEMU's do.
 */
public final class DebugExit implements PortDevice {
    public static final int PORT = 0xF4, PORT_COUNT = 4;

    private final MachineControl machine;

    public DebugExit(MachineControl machine) { this.machine = machine; }

    /** Claims 0xF4-0xF7. */
    public void register(PortBus bus) { bus.register(PORT, PORT_COUNT, this); }

    /** The exit code for a value written with an access of {@code size} bytes. */
    public static int exitCode(int value, int size) { return (written(value, size) << 1) | 1; }

    private static int written(int value, int size) { return size >= 4 ? value : value & ((1 << (8 * size)) - 1); }

    @Override
    public int read(int port, int size) { return 0; }

    @Override
    public void write(int port, int size, int value) {
        // Formatting allocates, but only once: the machine is stopping.
        machine.exit(exitCode(value, size), String.format("guest wrote %#x to the debug-exit port", written(value, size)));
    }
}
