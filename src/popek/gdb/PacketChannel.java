package popek.gdb;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The GDB Remote Serial Protocol's framing over one connection: {@code $payload#checksum} packets, the {@code +}/{@code -}
 * acknowledgements (until no-ack mode), binary escapes ({@code }} then the byte XOR 0x20) and the bare interrupt byte
 * 0x03. Payloads are strings of ISO-8859-1 characters, one per byte, so binary data passes unchanged. One thread
 * reads; any thread may send (sends are serialised).
 */
final class PacketChannel implements AutoCloseable {
    /** What {@link #read} found. */
    sealed interface Input permits Packet, Interrupt, Closed { }

    record Packet(String payload) implements Input { }

    record Interrupt() implements Input { }

    record Closed() implements Input { }

    private static final int INTERRUPT = 0x03;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private volatile boolean noAck;

    PacketChannel(Socket socket) throws IOException {
        this.socket = socket;
        socket.setTcpNoDelay(true);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    /** Stops sending and expecting acknowledgements (after QStartNoAckMode is answered). */
    void noAck() { noAck = true; }

    /** The next packet (acknowledged), interrupt, or the end of the connection. */
    Input read() throws IOException {
        for (;;) {
            int c = in.read();
            if (c < 0) return new Closed();
            if (c == INTERRUPT) return new Interrupt();
            if (c != '$') continue;   // acknowledgements, and noise between packets
            StringBuilder payload = new StringBuilder();
            int sum = 0;
            boolean escaped = false;
            while ((c = in.read()) >= 0 && c != '#') {
                sum += c;
                if (escaped) {
                    payload.append((char) (c ^ 0x20));
                    escaped = false;
                } else if (c == '}') {
                    escaped = true;
                } else {
                    payload.append((char) c);
                }
            }
            if (c < 0) return new Closed();
            int hi = in.read(), lo = in.read();
            if (lo < 0) return new Closed();
            boolean good = Character.digit(hi, 16) >= 0 && Character.digit(lo, 16) >= 0
                    && ((Character.digit(hi, 16) << 4) | Character.digit(lo, 16)) == (sum & 0xFF);
            if (!noAck) sendRaw(good ? "+" : "-");
            if (good || noAck) return new Packet(payload.toString());
        }
    }

    /** Sends one packet, escaping what the framing reserves. */
    void send(String payload) throws IOException {
        StringBuilder framed = new StringBuilder(payload.length() + 8).append('$');
        int sum = 0;
        for (int i = 0; i < payload.length(); i++) {
            char ch = payload.charAt(i);
            if (ch == '$' || ch == '#' || ch == '}' || ch == '*') {
                framed.append('}');
                sum += '}';
                ch ^= 0x20;
            }
            framed.append(ch);
            sum += ch;
        }
        framed.append('#').append(String.format("%02x", sum & 0xFF));
        sendRaw(framed.toString());
    }

    private synchronized void sendRaw(String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
