package popek.gdb;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real gdb (Debian's, which no one here wrote) in batch mode against a stub on a loopback port: the commands
 * given, its whole output back. Every wait is bounded; a gdb that does not finish in time is killed and the test fails
 * with what it printed so far.
 */
final class GdbBatch {
    private static final long TIMEOUT_MILLIS = 60_000;
    /** How long after gdb connected or reported a stop to send Ctrl-C, and again if gdb reports no stop. */
    private static final long INTERRUPT_DELAY_MILLIS = 300, INTERRUPT_RETRY_MILLIS = 5_000;

    private GdbBatch() { }

    /** The gdb on PATH, or null. */
    static Path gdb() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "gdb");
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /** Runs gdb on {@code elf}'s symbols, connected to the stub on {@code port}, with {@code commands}; its output. */
    static String run(int port, Path elf, String... commands) throws Exception {
        return run(port, elf, null, 0, commands);
    }

    /**
     * As {@link #run}, interrupting the guest {@code interrupts} times as a user's Ctrl-C would (SIGINT to gdb, which
     * sends the stub its interrupt byte): a while after gdb printed {@code after} and after each stop it reports, so
     * that the {@code continue} that follows is under way (batch mode prints nothing when it starts); again after a
     * longer while if gdb reports no stop.
     */
    static String runInterrupting(int port, Path elf, String after, int interrupts, String... commands) throws Exception {
        return run(port, elf, after, interrupts, commands);
    }

    private static String run(int port, Path elf, String after, int interrupts, String... commands) throws Exception {
        List<String> argv = new ArrayList<>(List.of(gdb().toString(), "-batch", "-nx",
                "-ex", "set pagination off", "-ex", "set confirm off", "-ex", "target remote 127.0.0.1:" + port));
        for (String c : commands) {
            argv.add("-ex");
            argv.add(c);
        }
        argv.add(elf.toString());
        Process gdb = new ProcessBuilder(argv).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        Thread reader = Thread.ofPlatform().daemon().start(() -> read(gdb, out));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
        boolean connected = false;
        int stopsSeen = 0;
        long interruptAt = Long.MAX_VALUE;
        while (gdb.isAlive() && System.nanoTime() < deadline) {
            if (interrupts > 0) {
                String sofar;
                synchronized (out) {
                    sofar = out.toString();
                }
                int stops = count(sofar, "received signal SIGINT");
                if (!connected && sofar.contains(after)) {
                    connected = true;
                    interruptAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERRUPT_DELAY_MILLIS);
                }
                if (stops > stopsSeen) {
                    stopsSeen = stops;
                    interruptAt = stops < interrupts ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERRUPT_DELAY_MILLIS)
                            : Long.MAX_VALUE;
                }
                if (System.nanoTime() >= interruptAt) {
                    interrupt(gdb);
                    interruptAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(INTERRUPT_RETRY_MILLIS);
                }
            }
            gdb.waitFor(20, TimeUnit.MILLISECONDS);
        }
        boolean finished = !gdb.isAlive();
        if (!finished) gdb.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        reader.join(10_000);
        String text;
        synchronized (out) {
            text = out.toString();
        }
        if (!finished) throw new AssertionError("gdb did not finish within " + TIMEOUT_MILLIS + " ms; it printed:\n" + text);
        return text;
    }

    private static void read(Process gdb, StringBuilder out) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(gdb.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                synchronized (out) {
                    out.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            // gdb is gone: what it printed is all there is
        }
    }

    private static void interrupt(Process gdb) throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-INT", Long.toString(gdb.pid())).start().waitFor(10, TimeUnit.SECONDS);
    }

    private static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
        return n;
    }
}
