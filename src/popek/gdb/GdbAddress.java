package popek.gdb;

/**
 * Where the stub listens: {@code tcp:HOST:PORT} as QEMU's {@code -gdb} spells it ({@code tcp::PORT} and
 * {@code :PORT} mean the loopback address, not every interface: a debugger's port gives whoever reaches it the whole
 * machine). Port 0 asks the system for a free one.
 */
public record GdbAddress(String host, int port) {
    /** QEMU's -s: {@code tcp::1234}. */
    public static final GdbAddress DEFAULT = new GdbAddress("127.0.0.1", 1234);

    public GdbAddress {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is not 0 to 65535");
    }

    /** Parses {@code tcp:HOST:PORT}, {@code tcp::PORT}, {@code HOST:PORT} or {@code :PORT}; throws IllegalArgumentException. */
    public static GdbAddress parse(String text) {
        String s = text.startsWith("tcp:") ? text.substring(4) : text;
        int colon = s.lastIndexOf(':');
        if (colon < 0 || s.contains("/")) {
            throw new IllegalArgumentException("'" + text + "' is not tcp:HOST:PORT (e.g. tcp:127.0.0.1:1234)");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "': '" + s.substring(colon + 1) + "' is not a port number");
        }
        return new GdbAddress(host.isEmpty() ? "127.0.0.1" : host, port);
    }

    @Override
    public String toString() { return "tcp:" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port; }
}
