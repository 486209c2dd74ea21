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
    private final ServerSocket server;
    private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    private volatile Connection connection;
    private volatile DebugSession session;
    private volatile boolean running;
    private volatile boolean closed;
    private GdbProtocol protocol;
    /** The debugger is waiting for a stop reply (it resumed the guest). */
    private boolean awaitingStop;

    /** One debugger's connection. */
    private record Connection(PacketChannel channel, boolean[] interruptSent) { }

    private record Disconnected(Connection from) { }

    private record Incoming(Connection from, String payload) { }

    /** Listens on {@code at} (binds now, so a busy port is an error before the machine starts). */
    public GdbServer(GdbAddress at) throws IOException {
        server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getByName(at.host()), at.port()), 1);
    }

    /** The port it listens on (the one the system chose, for port 0). */
    public int port() { return server.getLocalPort(); }

    /** Starts taking connections for {@code debugSession}'s vCPU. */
    public void start(DebugSession debugSession) {
        this.session = debugSession;
        this.running = true;
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
                Connection c = new Connection(new PacketChannel(s), new boolean[1]);
                connection = c;
                Thread.ofPlatform().name("popek-gdb-read").daemon().start(() -> read(c));
                session.requestPause();   // a debugger attaching stops the guest, as QEMU does
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
                        inbox.put(new Incoming(c, p.payload()));
                    }
                    case PacketChannel.Interrupt i -> {
                        if (running) {
                            synchronized (c.interruptSent()) {
                                c.interruptSent()[0] = true;
                            }
                            session.requestPause();
                        }
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
        running = false;
        if (protocol == null) protocol = new GdbProtocol(s, payload -> send(payload));
        Connection c = connection;
        boolean byInterrupt = false;
        if (c != null) {
            synchronized (c.interruptSent()) {
                byInterrupt = c.interruptSent()[0];
                c.interruptSent()[0] = false;
            }
        }
        protocol.stopped(stop, byInterrupt);
        if (awaitingStop) {
            awaitingStop = false;
            send(protocol.stopReply());
        }
        Resume resume = serve(s);
        running = true;
        return resume;
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
                return Resume.DETACH;
            }
            Incoming in = (Incoming) next;
            if (in.from() != connection) continue;   // a packet from a debugger that has gone
            GdbProtocol.Reply reply;
            try {
                reply = protocol.handle(in.payload());
            } catch (IOException e) {
                dropConnection();
                return Resume.DETACH;
            }
            if (reply.text() != null) send(reply.text());
            if (reply.resume() == null) continue;
            switch (reply.resume()) {
                case CONTINUE, STEP -> awaitingStop = true;
                case DETACH, KILL -> dropConnection();
            }
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
        awaitingStop = false;
        if (c != null) c.channel().close();
    }

    @Override
    public void finished(StopReason reason) {
        running = false;
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
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        Connection c = connection;
        if (c != null) c.channel().close();
    }
}
