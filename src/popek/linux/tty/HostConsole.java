package popek.linux.tty;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.Supplier;

import popek.linux.kernel.Kernel;
import popek.linux.waiter.Events;
import popek.linux.waiter.Waiter;

/**
 * The host side of {@code popek run -t}: the host terminal as the master of the container's console pty. A thread
 * reads what is typed (with {@code -i}) and hands it to the kernel's thread, which writes it to the master as far as
 * the terminal takes it, the rest when the terminal has room again; another follows the host window's size and
 * passes each change on (the foreground job gets SIGWINCH). Output reaches the host directly: the pty writes it
 * there ({@link Pty#attachHost}).
 */
public final class HostConsole implements Waiter {
    /** How often the host window's size is looked at (Java hears no SIGWINCH). */
    static final long SIZE_POLL_MILLIS = 200;
    /** Typed bytes the kernel has not taken yet, at most: then the reading thread waits. */
    private static final int MAX_PENDING = 1 << 16;

    private final Kernel kernel;
    private final Pty pty;
    private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
    private int pendingBytes;
    /** Offset into the first pending chunk (the part the terminal already took). */
    private int firstOffset;
    private volatile boolean stopped;
    private Thread input, resize;

    public HostConsole(Kernel kernel, Pty pty) {
        this.kernel = kernel;
        this.pty = pty;
    }

    /** Sets the console's size before the container starts (no one to tell yet); null leaves it 0 x 0, as Docker does. */
    public void initialSize(int[] rowsCols) {
        if (rowsCols != null) pty.setWindowSize(rowsCols[0], rowsCols[1], 0, 0);
    }

    /** Starts pumping {@code in} into the terminal (for {@code -i}). */
    public void pumpInput(InputStream in) {
        input = Thread.ofPlatform().daemon().name("popek-tty-input").start(() -> {
            byte[] b = new byte[4096];
            try {
                int n;
                while (!stopped && (n = in.read(b)) > 0) {
                    synchronized (this) {
                        while (pendingBytes >= MAX_PENDING && !stopped) wait();
                        pending.add(Arrays.copyOf(b, n));
                        pendingBytes += n;
                    }
                    kernel.post(this::deliver);
                }
            } catch (IOException | InterruptedException e) {
                // the host's input ended: nothing more is typed
            }
        });
    }

    /** Starts following the host window's size, as {@code size} reports it ({rows, cols}, or null). */
    public void followSize(Supplier<int[]> size) {
        resize = Thread.ofPlatform().daemon().name("popek-tty-size").start(() -> {
            int[] last = size.get();
            while (!stopped) {
                try {
                    Thread.sleep(SIZE_POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                int[] now = size.get();
                if (now != null && !Arrays.equals(now, last)) {
                    last = now;
                    kernel.post(() -> pty.setWindowSize(now[0], now[1], 0, 0));
                }
            }
        });
    }

    /** The container ended: the threads stop (one blocked reading the host waits for its next byte, as a daemon). */
    public void stop() {
        stopped = true;
        synchronized (this) {
            notifyAll();
        }
        if (resize != null) resize.interrupt();
    }

    /** Kernel thread: typed bytes into the terminal, as many as it takes; the rest when it has room. */
    private void deliver() {
        synchronized (this) {
            while (!pending.isEmpty()) {
                byte[] chunk = pending.peekFirst();
                int n = pty.masterWrite(chunk, firstOffset, chunk.length - firstOffset);
                firstOffset += n;
                pendingBytes -= n;
                if (firstOffset < chunk.length) {
                    pty.masterQueue.add(this, Events.POLLOUT);
                    break;
                }
                pending.pollFirst();
                firstOffset = 0;
            }
            notifyAll();
        }
    }

    /** The terminal made room (called on the kernel's thread, inside the terminal's own work: deliver later). */
    @Override
    public void wake(int events) {
        pty.masterQueue.remove(this);
        kernel.post(this::deliver);
    }
}
