package popek.gdb;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import popek.cpu.StopReason;
import popek.debug.DebugSession;
import popek.platform.Machine;
import popek.platform.MachineBuilder;

/**
 * A machine with the GDB stub on a free loopback port, stopped before its first instruction (-S), running on a thread
 * of its own, and (unless a real gdb is to connect) a protocol client connected to it. For tests of the stub; closing
 * it kills the machine.
 */
final class StubHarness implements AutoCloseable {
    static final int TIMEOUT_MILLIS = 20_000;

    final Machine machine;
    /** The protocol client, or null when a real gdb connects instead. */
    final RemoteClient gdb;
    final CompletableFuture<StopReason> stop = new CompletableFuture<>();
    final ByteArrayOutputStream serial = new ByteArrayOutputStream();
    private final GdbServer server;

    StubHarness(Consumer<MachineBuilder> boot) throws Exception { this(boot, true); }

    StubHarness(Consumer<MachineBuilder> boot, boolean connect) throws Exception {
        server = new GdbServer(new GdbAddress("127.0.0.1", 0));
        DebugSession session = new DebugSession(server, true);
        MachineBuilder b = new MachineBuilder().memory(64L << 20).serialOutput(serial)
                .timeoutNanos(120_000_000_000L).wallClock(Instant.parse("2026-11-22T12:00:00Z")).debugger(session);
        boot.accept(b);
        machine = b.build();
        server.start(session);
        Thread.ofPlatform().name("test-vcpu").daemon().start(() -> {
            try (machine) {   // closed on the thread that ran it (what it made there is confined to it)
                stop.complete(machine.run());
            } catch (Throwable t) {
                stop.completeExceptionally(t);
            }
        });
        gdb = connect ? new RemoteClient("127.0.0.1", server.port(), TIMEOUT_MILLIS) : null;
    }

    /** The port the stub listens on. */
    int port() { return server.port(); }

    /** Boots a fresh copy of test disk {@code image} from its boot sector. */
    static StubHarness bootDisk(Path image, popek.cpu.ExecutionMode mode, Path scratch) throws Exception {
        Path copy = scratch.resolve(image.getFileName());
        Files.copy(image, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return new StubHarness(b -> b.mode(mode).disk(copy, false));
    }

    StopReason awaitStop() throws Exception { return stop.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS); }

    /** Register {@code n} (gdb's number) as an unsigned 32-bit value. */
    long register(int n) throws IOException {
        String hex = gdb.ask("p" + Integer.toHexString(n));
        long v = 0;
        for (int i = 0; i < 8 && i < hex.length() / 2; i++) v |= Long.parseLong(hex.substring(2 * i, 2 * i + 2), 16) << (8 * i);
        return v;
    }

    long eip() throws IOException { return register(8); }

    /** {@code length} bytes of memory at {@code address}, read through the stub. */
    byte[] memory(long address, int length) throws IOException {
        return java.util.HexFormat.of().parseHex(gdb.ask("m" + Long.toHexString(address) + "," + Integer.toHexString(length)));
    }

    /** A monitor command's output. */
    String monitor(String command) throws IOException {
        String reply = gdb.ask("qRcmd," + java.util.HexFormat.of().formatHex(command.getBytes()));
        if (!reply.equals("OK")) throw new IOException("monitor " + command + ": " + reply);
        return gdb.console();
    }

    @Override
    public void close() {
        machine.stop(new StopReason(StopReason.Cause.INTERRUPTED, "test over"));
        if (gdb != null) gdb.close();
        server.close();
        try {
            stop.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (Exception ignored) {
            // reported by the test that failed
        }
    }

    /** The symbols of an ELF file (by nm, from binutils, which the build needs anyway). */
    static Map<String, Long> symbols(Path elf) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("nm", elf.toString()).redirectErrorStream(true).start();
        Map<String, Long> out = new HashMap<>();
        for (String line : new String(p.getInputStream().readAllBytes()).lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length == 3) out.put(f[2], Long.parseLong(f[0], 16));
        }
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("nm " + elf + " failed");
        return out;
    }
}
