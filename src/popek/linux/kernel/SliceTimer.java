package popek.linux.kernel;

import java.util.concurrent.locks.LockSupport;

import popek.linux.platform.Cpu;

/**
 * The thread that ends a task's slice: it stops the CPU at the armed deadline, or at once when kicked (work posted by
 * a host thread, a signal for the running task). Unicorn loses a stop that lands between two runs, so a kick stays
 * pending, and is repeated, until the worker acknowledges it at the top of its loop.
 */
final class SliceTimer implements Runnable {
    private static final long REKICK_NANOS = 200_000;
    private final Cpu cpu;
    private final Thread thread;
    private volatile long deadline = Long.MAX_VALUE;   // System.nanoTime() terms
    private volatile boolean kickPending, running = true;

    SliceTimer(Cpu cpu) {
        this.cpu = cpu;
        this.thread = Thread.ofPlatform().name("popek-linux-slice").daemon().unstarted(this);
    }

    void start() { thread.start(); }

    /** Ends the coming run at kernel-monotonic {@code at} ({@code now} is the kernel's monotonic time now). */
    void arm(long at, long now) {
        long wait = at - now;
        deadline = System.nanoTime() + Math.max(0, wait);
        LockSupport.unpark(thread);
    }

    void disarm() { deadline = Long.MAX_VALUE; }

    void kick() {
        kickPending = true;
        cpu.stop();
        LockSupport.unpark(thread);
    }

    void acknowledge() { kickPending = false; }

    @Override
    public void run() {
        while (running) {
            if (kickPending) {
                LockSupport.parkNanos(this, REKICK_NANOS);
                if (kickPending && running) cpu.stop();
                continue;
            }
            long d = deadline;
            if (d == Long.MAX_VALUE) {
                LockSupport.park(this);
                continue;
            }
            long wait = d - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            if (deadline == d) {
                cpu.stop();
                deadline = Long.MAX_VALUE;
            }
        }
    }

    void shutdown() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
