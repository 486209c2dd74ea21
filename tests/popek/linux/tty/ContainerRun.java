package popek.linux.tty;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Stdio;

/**
 * A container run from a test as {@code popek run [-i] [-t]} runs it, on a thread of its own: keys typed through a
 * pipe, output collected (with -t, what the host terminal would show), every wait bounded.
 */
final class ContainerRun implements AutoCloseable {
    /** Collected output that wakes waiters. */
    static final class Screen extends ByteArrayOutputStream {
        @Override
        public synchronized void write(byte[] b, int off, int len) {
            super.write(b, off, len);
            notifyAll();
        }

        @Override
        public synchronized void write(int b) {
            super.write(b);
            notifyAll();
        }

        synchronized String text() { return toString(StandardCharsets.ISO_8859_1); }
    }

    final Screen out = new Screen(), err = new Screen();
    private final PipedOutputStream keys = new PipedOutputStream();
    private final Container container;
    private final Thread thread;
    private final AtomicReference<Object> result = new AtomicReference<>();
    /** Where the text searched for next starts (what was already waited for is not matched again). */
    private int mark;

    ContainerRun(List<Path> layers, boolean interactive, boolean tty, Supplier<int[]> size, String... command) throws IOException {
        PipedInputStream in = new PipedInputStream(keys, 1 << 16);
        ContainerConfig config = new ContainerConfig(layers, List.of(command), List.of(), null, 0, 0, interactive, tty, false,
                256L << 20);
        container = new Container(config, new Stdio(in, out, err, size), new PrintStream(err, true));
        thread = Thread.ofPlatform().name("container-test").start(() -> {
            try {
                result.set(container.run());
            } catch (Throwable t) {
                result.set(t);
            }
        });
    }

    /** Types {@code s} (ISO-8859-1 bytes). */
    void type(String s) throws IOException {
        keys.write(s.getBytes(StandardCharsets.ISO_8859_1));
        keys.flush();
    }

    /**
     * Waits until one of {@code texts} appears after what was waited for before; returns the output from there to the
     * end of the first that appears.
     */
    String waitFor(String... texts) throws InterruptedException {
        long end = System.nanoTime() + 30_000_000_000L;
        synchronized (out) {
            for (;;) {
                String all = out.text();
                int best = -1, bestEnd = -1;
                for (String text : texts) {
                    int at = all.indexOf(text, mark);
                    if (at >= 0 && (best < 0 || at < best)) {
                        best = at;
                        bestEnd = at + text.length();
                    }
                }
                if (best >= 0) {
                    String seen = all.substring(mark, bestEnd);
                    mark = bestEnd;
                    return seen;
                }
                long left = end - System.nanoTime();
                if (left <= 0 || !thread.isAlive() && result.get() != null) {
                    throw new AssertionError("no '" + String.join("' or '", texts) + "' in 30 s; the screen shows:\n"
                            + all.substring(mark) + "\nstderr:\n" + err.text());
                }
                out.wait(Math.max(1, Math.min(left / 1_000_000, 200)));
            }
        }
    }

    /** The container's exit status, within 30 s. */
    int exitStatus() throws InterruptedException {
        thread.join(30_000);
        if (thread.isAlive()) throw new AssertionError("the container did not end in 30 s; it showed:\n" + out.text() + err.text());
        Object r = result.get();
        if (r instanceof Throwable t) throw new AssertionError("the container failed", t);
        return (Integer) r;
    }

    @Override
    public void close() throws Exception {
        keys.close();
        if (thread.isAlive()) {
            container.kill();
            thread.join(10_000);
        }
    }
}
