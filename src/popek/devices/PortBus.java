package popek.devices;

/**
 * The x86 I/O-port space: 65,536 ports, each routed to at most one device. Dispatch is one array load, so the
 * trap path allocates nothing. A port with no device reads as all ones (as on a PC's ISA bus, where nobody drives
 * the data lines) and ignores writes; such accesses are counted, never fatal.
 */
public final class PortBus {
    private final PortDevice[] devices = new PortDevice[65536];
    private long unclaimedReads, unclaimedWrites;
    private int lastUnclaimedPort = -1;

    /** Route ports [first, first + count) to device. Overlapping an existing claim is a wiring bug. */
    public void register(int first, int count, PortDevice device) {
        if (first < 0 || count <= 0 || first + count > devices.length) throw new IllegalArgumentException("bad port range");
        for (int p = first; p < first + count; p++) {
            if (devices[p] != null) throw new IllegalStateException(String.format("port %#x is already claimed", p));
        }
        for (int p = first; p < first + count; p++) devices[p] = device;
    }

    private int anyPrivilegePort = -1;

    /**
     * Lets code at any privilege reach {@code port} with {@code in}/{@code out}, whatever IOPL and the TSS's I/O bitmap
     * say: the para-virtual hypercall port, where the device itself answers an unprivileged caller (-PV_EPERM).
     */
    public void openToAnyPrivilege(int port) { this.anyPrivilegePort = port; }

    /** Is {@code port} the one {@link #openToAnyPrivilege} opened? */
    public boolean openToAnyPrivilege(int port, int size) { return port == anyPrivilegePort && size == 4; }

    public int read(int port, int size) {
        PortDevice d = devices[port & 0xFFFF];
        if (d == null) {
            unclaimedReads++;
            lastUnclaimedPort = port;
            return allOnes(size);
        }
        return d.read(port & 0xFFFF, size);
    }

    /** Writes to the device at {@code port}; returns whether that device keeps time ({@link Timed}: its deadline may have moved). */
    public boolean write(int port, int size, int value) {
        PortDevice d = devices[port & 0xFFFF];
        if (d == null) {
            unclaimedWrites++;
            lastUnclaimedPort = port;
            return false;
        }
        d.write(port & 0xFFFF, size, value);
        return d instanceof Timed;
    }

    /** What an undriven bus reads for an access of {@code size} bytes: every data line high. */
    public static int allOnes(int size) { return size == 4 ? -1 : (1 << (8 * size)) - 1; }

    public PortDevice deviceAt(int port) { return devices[port & 0xFFFF]; }

    public long unclaimedReads() { return unclaimedReads; }

    public long unclaimedWrites() { return unclaimedWrites; }

    /** The most recent port no device claimed, or -1: named in --stats so a user sees which port their guest probed. */
    public int lastUnclaimedPort() { return lastUnclaimedPort; }
}
