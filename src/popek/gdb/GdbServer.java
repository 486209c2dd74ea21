package popek.gdb;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import popek.cpu.StopReason;
import popek.debug.DebugSession;
import popek.debug.DebugStop;
import popek.debug.Resume;
import popek.debug.StopListener;

/**
 * The GDB stub: listens on a TCP port, takes one debugger at a time, and serves the Remote Serial Protocol for the
 * machine's vCPU in all-stop mode. A reader thread per connection reads packets into a queue (and turns gdb's
 * interrupt byte into a stop request); the vCPU thread, stopped for the debugger ({@link #stopped}), answers them
 * until gdb says how to go on. A debugger that connects to a running guest stops it, as with QEMU; one that goes away
 * (or detaches) leaves it running without breakpoints. When the machine stops for good, a debugger waiting for the
 * guest is told its exit code.
 */
public final class GdbServer implements StopListener, AutoCloseable {
    private final GdbAddress address;
    private ServerSocket server;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private volatile Connection connection;
    private volatile DebugSession session;
    private volatile boolean closed;
    private GdbProtocol protocol;
    /** The debugger is waiting for a stop reply (it resumed the guest). */
    private boolean awaitingStop;
    /** The number of the packet that last resumed the guest: an interrupt byte after it is reported as SIGINT. */
    private long resumedBy;

    /**
     * One debugger's connection: its channel, how many packets its reader has taken, and after how many of them its
     * last interrupt byte came (-1: none yet), so that an interrupt sent right after a resume is not lost.
     */
    private static final class Connection {
        final PacketChannel channel;
        volatile long packets;
        volatile long interruptAfter = -1;

        Connection(PacketChannel channel) { this.channel = channel; }

        PacketChannel channel() { return channel; }
    }

    private record Disconnected(Connection from) { }

    /** Packet number {@code index} (from 1) of a connection. */
    private record Incoming(Connection from, String payload, long index) { }

    /** A stub for {@code at}; it listens once {@link #start}ed. */
    public GdbServer(GdbAddress at) { this.address = at; }

    /** The port it listens on (the one the system chose, for port 0). */
    public int port() { return server.getLocalPort(); }

    /**
     * Listens, and takes connections for {@code debugSession}'s vCPU. Call once the machine is built, just before it
     * runs: a debugger that connects is answered at once, well within gdb's timeout.
     */
    public void start(DebugSession debugSession) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(address.host()), address.port()), 1);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        this.server = s;
        this.session = debugSession;
        Thread.ofPlatform().name("popek-gdb-accept").daemon().start(this::accept);
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return;   // closed
            }
            if (connection != null) {   // one debugger at a time
                try (s) {
                    new PacketChannel(s).send("E01");
                } catch (IOException ignored) {
                    // it is going away anyway
                }
                continue;
            }
            try {
                Connection c = new Connection(new PacketChannel(s));
                // A debugger attaching stops the guest, as QEMU does. Asked before its first packet can be read: asked
                // after, it could land once a resume had voided the stops asked while stopped, and stop the guest
                // again with no reason to give (seen under load: a 'c' answered "T05" with no swbreak).
                session.requestPause();
                connection = c;
                Thread.ofPlatform().name("popek-gdb-read").daemon().start(() -> read(c));
            } catch (IOException e) {
                connection = null;
            }
        }
    }

    /** Reads one connection's packets into the inbox; gdb's interrupt byte stops a running guest. */
    private void read(Connection c) {
        try {
            for (;;) {
                PacketChannel.Input in = c.channel().read();
                switch (in) {
                    case PacketChannel.Packet p -> {
                        if (p.payload().equals("QStartNoAckMode")) {
                            c.channel().send("OK");   // acknowledged with '+' already; from now on, no more
                            c.channel().noAck();
                            continue;
                        }
                        inbox.put(new Incoming(c, p.payload(), ++c.packets));
                    }
                    case PacketChannel.Interrupt i -> {
                        // Honoured if it follows the packet that resumed the guest (see serve), even if the vCPU
                        // has not taken that packet yet; ignored if the guest was stopped when it came.
                        c.interruptAfter = c.packets;
                        session.requestPause();
                    }
                    case PacketChannel.Closed x -> {
                        inbox.put(new Disconnected(c));
                        return;
                    }
                }
            }
        } catch (IOException e) {
            inbox.add(new Disconnected(c));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- the vCPU thread, stopped for the debugger

    @Override
    public Resume stopped(DebugSession s, DebugStop stop) {
        if (protocol == null) protocol = new GdbProtocol(s, payload -> send(payload));
        Connection c = connection;
        protocol.stopped(stop, c != null && resumedBy > 0 && c.interruptAfter >= resumedBy);
        if (awaitingStop) {
            awaitingStop = false;
            send(protocol.stopReply());
        }
        return serve(s);
    }

    /** Answers packets until one resumes the guest; waits for a debugger first if none is connected (-S). */
    private Resume serve(DebugSession s) {
        for (;;) {
            Object next;
            try {
                next = inbox.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Resume.CONTINUE;
            }
            if (s.port().stopping()) return Resume.CONTINUE;   // Ctrl-C on Popek itself: the run loop ends the run
            if (next == null) continue;
            if (next instanceof Disconnected d) {
                if (d.from() != connection) continue;
                dropConnection();
                s.cancelPause();
                return Resume.DETACH;
            }
            Incoming in = (Incoming) next;
            if (in.from() != connection) continue;   // a packet from a debugger that has gone
            GdbProtocol.Reply reply;
            try {
                reply = protocol.handle(in.payload());
            } catch (IOException e) {
                dropConnection();
                s.cancelPause();
                return Resume.DETACH;
            }
            if (reply.text() != null) send(reply.text());
            if (reply.resume() == null) continue;
            switch (reply.resume()) {
                case CONTINUE, STEP -> awaitingStop = true;
                case DETACH, KILL -> dropConnection();
            }
            // Stop requests made while the guest was stopped (a debugger attaching, an interrupt byte sent before
            // this resume) are void; an interrupt that followed this packet stops the guest again at once.
            // Cancelled first, then asked again if an interrupt came after this packet: the reading thread writes
            // interruptAfter before it asks for the pause, so one that lands between the two steps is never lost (a
            // test then cancel could void an interrupt asked just between them: seen once in ten suites under load).
            resumedBy = in.index();
            s.cancelPause();
            if (in.from().interruptAfter >= resumedBy) s.requestPause();
            return reply.resume();
        }
    }

    private void send(String payload) {
        Connection c = connection;
        if (c == null) return;
        try {
            c.channel().send(payload);
        } catch (IOException e) {
            // gone: its reader thread says so
        }
    }

    private void dropConnection() {
        Connection c = connection;
        connection = null;
        resumedBy = 0;
        awaitingStop = false;
        if (c != null) c.channel().close();
    }

    @Override
    public void finished(StopReason reason) {
        if (awaitingStop) {
            // The guest's exit code, as a process's ('W'); a stop by Popek (timeout, fault) is an exit too.
            int code = reason == null ? StopReason.Cause.INTERNAL_ERROR.exitCode() : reason.exitCode();
            send(String.format("W%02x", code & 0xFF));
        }
        dropConnection();
        close();
    }

    @Override
    public void close() {
        closed = true;
        try {
            if (server != null) server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        Connection c = connection;
        if (c != null) c.channel().close();
    }
}
