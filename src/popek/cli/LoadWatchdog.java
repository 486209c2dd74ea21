package popek.cli;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds loading a guest by {@code --timeout}: if the machine is not built by the deadline, the loading thread is
 * interrupted, which abandons a file read in progress (file channels are interruptible), and the command then reports
 * a timeout rather than the interrupted read.
 */
final class LoadWatchdog {
    private final Thread timer;
    private final AtomicBoolean done = new AtomicBoolean();
    private volatile boolean fired;

    private LoadWatchdog(long timeoutNanos) {
        Thread loader = Thread.currentThread();
        this.timer = timeoutNanos <= 0 ? null : Thread.ofVirtual().start(() -> {
            try {
                Thread.sleep(java.time.Duration.ofNanos(timeoutNanos));
            } catch (InterruptedException cancelled) {
                return;
            }
            if (done.compareAndSet(false, true)) {
                fired = true;
                loader.interrupt();
            }
        });
    }

    /** Starts watching the calling thread; a timeout of 0 watches nothing. */
    static LoadWatchdog start(long timeoutNanos) { return new LoadWatchdog(timeoutNanos); }

    /** Loading finished (or failed): stop watching, and clear an interrupt that arrived too late to matter. */
    void cancel() {
        if (done.compareAndSet(false, true) && timer != null) timer.interrupt();
        if (fired) Thread.interrupted();
    }

    boolean fired() { return fired; }
}
