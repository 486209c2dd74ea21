package popek.cpu;

import java.util.concurrent.atomic.AtomicReference;

import popek.devices.Timed;
import popek.engine.Unicorn;

/**
 * What the trap path asks of the run loop, and the stop anyone may ask for. Hooks set the requests on the vCPU thread
 * while the engine runs (look at events now, the guest waits for an interrupt, a deadline moved earlier) and stop the
 * engine; the loop reads and clears them between runs. A stop, or a wake-up, may come from any thread: it reaches
 * the engine through the {@link Preemptor} of the current run (or straight to the engine before there is one).
 */
final class ExitRequests {
    private final Unicorn uc;
    private final AtomicReference<StopReason> stop = new AtomicReference<>();
    private volatile Preemptor preemptor;
    private boolean eventRequested;
    private boolean haltRequested;
    /** An IRQ was pending when this run began: the loop polls for it, so a device write need not stop for it. */
    private boolean irqPending;
    /** The deadline the preemptor was last given (vCPU thread only). */
    private long publishedDeadline = Timed.NEVER;

    ExitRequests(Unicorn uc) { this.uc = uc; }

    // ---------------------------------------------------------------- any thread

    /** Ends the run with this reason (the first reason given wins). Any thread. */
    void requestStop(StopReason reason) {
        if (stop.compareAndSet(null, reason)) {
            Preemptor p = preemptor;
            if (p != null) p.kick(); else uc.stop();
        }
    }

    /** Makes the run loop look at its devices now (terminal input arrived). Any thread. */
    void wake() {
        Preemptor p = preemptor;
        if (p != null) p.kick();
    }

    /** The run loop stops by itself with this reason, unless another came first (nothing to interrupt). */
    void stopWith(StopReason reason) { stop.compareAndSet(null, reason); }

    /** The reason a stop was asked for, or null. Any thread. */
    StopReason stopReason() { return stop.get(); }

    boolean stopping() { return stop.get() != null; }

    // ---------------------------------------------------------------- the run loop

    /** The preemptor of the run that starts now (null when it ends). */
    void attach(Preemptor p) { this.preemptor = p; }

    Preemptor preemptor() { return preemptor; }

    /** Before each run: nothing asked yet; {@code irqWaiting}, whether an interrupt waits that the loop polls for. */
    void beginRun(boolean irqWaiting) {
        eventRequested = false;
        haltRequested = false;
        irqPending = irqWaiting;
    }

    /** Gives the preemptor the loop's next deadline (virtual ns). */
    void publishDeadline(long next) {
        preemptor.setDeadline(next);
        publishedDeadline = next;
    }

    boolean eventRequested() { return eventRequested; }

    boolean haltRequested() { return haltRequested; }

    // ---------------------------------------------------------------- the trap path (vCPU thread, inside the engine)

    /** The run must end now for the loop to look at events (one may be deliverable before the next instruction). */
    void lookAtEvents() {
        eventRequested = true;
        uc.stop();
    }

    /** The guest waits for an interrupt (an emulated hlt, a para BLOCK): the run ends, and the loop parks. */
    void halt() {
        haltRequested = true;
        uc.stop();
    }

    boolean irqPending() { return irqPending; }

    /** An interrupt became pending during this run and the run was ended for it. */
    void irqRaised() {
        irqPending = true;
        lookAtEvents();
    }

    /** A device gained a deadline while the guest runs: re-arms the host timer if it is sooner than the published one. */
    void deadlineAt(long next) {
        if (next < publishedDeadline) {
            publishedDeadline = next;
            Preemptor p = preemptor;
            if (p != null) p.setDeadline(next);   // (none outside a run: the loop publishes before it runs)
        }
    }
}
