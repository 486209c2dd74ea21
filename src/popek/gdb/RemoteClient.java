package popek.gdb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of the Remote Serial Protocol, as gdb speaks it: sends a packet, collects the console output a
 * monitor command prints ('O' packets) and returns the reply. For {@code bench traps --gdb} (a debugger attached and
 * continuing, with nothing set) and for tests of the stub; every wait is bounded by the timeout given.
 */
public final class RemoteClient implements AutoCloseable {
    private final PacketChannel channel;
    private final Socket socket;
    private final List<String> console = new ArrayList<>();

    /** Connects to a stub on {@code port} of {@code host}, waiting at most {@code timeoutMillis} for any answer. */
    public RemoteClient(String host, int port, int timeoutMillis) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress(host, port), timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        channel = new PacketChannel(socket);
    }

    /** Sends {@code packet} and returns the reply (console output a monitor command printed: {@link #console()}). */
    public String ask(String packet) throws IOException {
        channel.send(packet);
        return reply();
    }

    /** Sends {@code packet} and expects no reply (k, or a resume whose stop reply is read later with {@link #reply}). */
    public void tell(String packet) throws IOException { channel.send(packet); }

    /** Sends gdb's interrupt byte (Ctrl-C). */
    public void interrupt() throws IOException {
        socket.getOutputStream().write(0x03);
        socket.getOutputStream().flush();
    }

    /** The next reply (a stop reply after a resume): skips 'O' packets, which it keeps in {@link #console()}. */
    public String reply() throws IOException {
        for (;;) {
            PacketChannel.Input in;
            try {
                in = channel.read();
            } catch (SocketTimeoutException e) {
                throw new IOException("no reply from the stub in time", e);
            }
            if (in instanceof PacketChannel.Closed) throw new IOException("the stub closed the connection");
            if (!(in instanceof PacketChannel.Packet p)) continue;
            String s = p.payload();
            if (s.startsWith("O") && s.length() > 1 && s.length() % 2 == 1 && s.substring(1).matches("[0-9a-fA-F]+")) {
                console.add(new String(java.util.HexFormat.of().parseHex(s.substring(1)), java.nio.charset.StandardCharsets.UTF_8));
                continue;
            }
            return s;
        }
    }

    /** What monitor commands printed since the last call, and forgets it. */
    public String console() {
        String s = String.join("", console);
        console.clear();
        return s;
    }

    /** Waits for the stub to close the connection (after a kill or the machine's end); false if it did not in time. */
    public boolean awaitClose() {
        try {
            for (;;) {
                PacketChannel.Input in = channel.read();
                if (in instanceof PacketChannel.Closed) return true;
            }
        } catch (IOException e) {
            return !(e instanceof SocketTimeoutException);
        }
    }

    @Override
    public void close() { channel.close(); }
}
