package popek.fuzz.harness;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.management.ManagementFactory;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one {@code popek} command line in this JVM, the way a user's shell would run it, on a thread of its own so that
 * a command that never returns is seen (and reported as a hang) rather than waited for. Also measures what the
 * command allocated on the Java heap, across every thread, while it ran: the commands run one at a time, so the
 * JVM-wide counter's difference is the command's.
 */
public final class CliRun implements AutoCloseable {
    /**
     * The command line's entry: {@code popek.cli.Main.execute} with a terminal that reads nothing and writes the guest's
     * output to {@code out} (the fuzz command passes it in).
     */
    @FunctionalInterface
    public interface Launcher {
        int execute(String[] args, PrintWriter err, java.io.OutputStream out);
    }

    /** The guest's output a result keeps: its first bytes (a guest can print for ever within its --timeout). */
    public static final int STDOUT_KEPT = 64 << 10;

    /**
     * What one command did. {@code hung}: it had not returned after the grace period past its own --timeout (then
     * {@code code} is -1); {@code heapBytes}: Java heap allocated while it ran (-1 where the JVM cannot say);
     * {@code stdout}: the first {@link #STDOUT_KEPT} bytes it wrote, as ISO-8859-1, and {@code stdoutBytes} how many in all.
     */
    public record Result(int code, String stderr, boolean hung, double seconds, long heapBytes, Throwable escaped,
                         String stdout, long stdoutBytes) {
        public Result(int code, String stderr, boolean hung, double seconds, long heapBytes, Throwable escaped) {
            this(code, stderr, hung, seconds, heapBytes, escaped, "", 0);
        }
    }

    private final Launcher launcher;
    private ExecutorService thread = newThread();
    private static final com.sun.management.ThreadMXBean THREADS = threads();

    public CliRun(Launcher launcher) { this.launcher = launcher; }

    /** Runs {@code args}; a command still running {@code limitNanos} later is a hang (its thread is abandoned). */
    public Result run(String[] args, long limitNanos) {
        StringWriter err = new StringWriter();
        PrintWriter errWriter = new PrintWriter(err, true);
        KeptOutput out = new KeptOutput();
        long heapBefore = heapAllocated();
        long t0 = System.nanoTime();
        Future<Integer> f = thread.submit(() -> launcher.execute(args, errWriter, out));
        try {
            int code = f.get(limitNanos, TimeUnit.NANOSECONDS);
            return new Result(code, err.toString(), false, (System.nanoTime() - t0) / 1e9, heapDelta(heapBefore), null,
                    out.text(), out.count());
        } catch (TimeoutException e) {
            // The command's thread is stuck: give up on it (a daemon thread, it cannot keep the JVM alive) and use a
            // fresh thread for the next command.
            f.cancel(true);
            thread.shutdownNow();
            thread = newThread();
            return new Result(-1, err.toString(), true, (System.nanoTime() - t0) / 1e9, -1, null);
        } catch (ExecutionException e) {
            // Main.execute catches every Throwable: one getting past it is a failure of its own kind.
            return new Result(-1, err.toString(), false, (System.nanoTime() - t0) / 1e9, heapDelta(heapBefore), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            throw new IllegalStateException("interrupted while a command ran", e);
        }
    }

    /** Keeps the first {@link #STDOUT_KEPT} bytes written to it and counts the rest. */
    private static final class KeptOutput extends java.io.OutputStream {
        private final java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
        private long count;

        @Override
        public synchronized void write(int b) {
            if (count++ < STDOUT_KEPT) kept.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            int keep = (int) Math.max(0, Math.min(len, STDOUT_KEPT - count));
            kept.write(b, off, keep);
            count += len;
        }

        synchronized String text() { return kept.toString(java.nio.charset.StandardCharsets.ISO_8859_1); }

        synchronized long count() { return count; }
    }

    private static long heapDelta(long before) {
        long after = heapAllocated();
        return before < 0 || after < 0 ? -1 : after - before;
    }

    /** Bytes allocated on the heap by every thread since the JVM started, or -1 when it cannot say. */
    private static long heapAllocated() {
        try {
            return THREADS != null && THREADS.isThreadAllocatedMemoryEnabled() ? THREADS.getTotalThreadAllocatedBytes() : -1;
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    private static com.sun.management.ThreadMXBean threads() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t ? t : null;
    }

    /** The resident set of this process in bytes (Linux's /proc/self/status VmRSS), or -1. */
    public static long residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        } catch (java.io.IOException | NumberFormatException e) {
            // not Linux: no figure
        }
        return -1;
    }

    private static ExecutorService newThread() {
        return Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name("popek-fuzz-cli").daemon().unstarted(r));
    }

    @Override
    public void close() { thread.shutdownNow(); }
}
