package popek.cpu;

import java.util.concurrent.locks.LockSupport;

import popek.engine.Unicorn;

/**
 * The timer thread: sleeps until the run loop's next deadline, then makes the vCPU come back to the run loop
 * ({@code uc_emu_stop} while it runs guest code, an unpark while it is parked in {@code hlt}). A stop that lands
 * between two runs is lost by Unicorn, so a kick stays pending until the run loop acknowledges it, and is repeated
 * every {@link #REKICK_NANOS} until then.
 */
final class Preemptor implements Runnable {
    private static final long NEVER = Long.MAX_VALUE;
    private static final long REKICK_NANOS = 200_000;

    private final Unicorn uc;
    private final VirtualClock clock;
    private final VcpuHost vcpu;
    private final Thread thread;
    private volatile long deadline = NEVER;     // virtual ns
    /** Bumped by every {@link #setDeadline}: a kick is for one publication, never repeated for the same one. */
    private volatile long generation;
    private volatile boolean awaitingPublish;
    private volatile boolean kickPending;
    private volatile boolean running = true;

    Preemptor(Unicorn uc, VirtualClock clock, VcpuHost vcpu) {
        this.uc = uc;
        this.clock = clock;
        this.vcpu = vcpu;
        this.thread = Thread.ofPlatform().name("popek-preemptor").daemon().unstarted(this);
        clock.runsOn(vcpu);
    }

    void start() { thread.start(); }

    /** Publishes the run loop's next deadline (virtual ns, or Long.MAX_VALUE); wakes the thread if it moved earlier. */
    void setDeadline(long virtualNanos) {
        long old = deadline;
        deadline = virtualNanos;
        generation++;   // written by the vCPU thread only
        clock.deadlinePublished();
        // A clock that skips idle time needs a look whenever the vCPU may be about to sleep.
        if (virtualNanos < old || awaitingPublish || clock.skipsIdle()) LockSupport.unpark(thread);
    }

    /** Makes the vCPU return to its run loop as soon as it can. Any thread. */
    void kick() {
        kickPending = true;
        uc.stop();
        vcpu.wakeVcpu();
        // The stop is lost if it lands between two runs; wake this thread so it repeats it until acknowledged
        // (a kick from another thread, e.g. terminal input, may find it parked with no deadline to wake it).
        if (Thread.currentThread() != thread) LockSupport.unpark(thread);
    }

    /** Called by the run loop when it starts servicing: returns whether a kick was pending, and clears it. */
    boolean acknowledge() {
        boolean k = kickPending;
        if (k) kickPending = false;
        return k;
    }

    boolean kickPending() { return kickPending; }

    @Override
    public void run() {
        long kickedGeneration = -1;
        while (running) {
            if (kickPending) {   // not yet acknowledged: the stop may have been lost between two runs
                LockSupport.parkNanos(this, REKICK_NANOS);
                if (running && kickPending) {
                    uc.stop();
                    vcpu.wakeVcpu();
                }
                continue;
            }
            long g = generation;
            long d = deadline;
            if (g == kickedGeneration) {   // kicked for this publication already: wait for the run loop's next one
                awaitingPublish = true;
                if (generation == g && running) LockSupport.park(this);
                awaitingPublish = false;
                continue;
            }
            if (d == NEVER) {
                LockSupport.park(this);
                continue;
            }
            long wait = clock.hostWaitFor(d, vcpu);
            if (wait == VirtualClock.IDLE) {
                // The vCPU sleeps: time jumps to its deadline, but only if d is still the deadline it sleeps towards.
                // It publishes before it parks, so one that published after d was read shows a new generation here
                // (skipping to the run's old deadline instead, e.g. the timeout, would leap over its timer).
                if (generation != g) continue;
                clock.skipTo(d);
            } else if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            kickedGeneration = g;
            kick();
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
