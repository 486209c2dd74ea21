package popek.debug;

import popek.cpu.DebugHooks;
import popek.cpu.DebugPort;
import popek.cpu.StopReason;
import popek.engine.Unicorn;
import popek.engine.X86;

/**
 * A debugger attached to one vCPU: breakpoints ({@link CodeBreakpoints}), watchpoints ({@link Watchpoints}), single
 * steps ({@link Stepper}) and stops, behind the hooks the vCPU calls ({@link DebugHooks}). When the guest stops for
 * the debugger, the run loop's thread calls the {@link StopListener} and waits in it with virtual time frozen; the
 * listener reads and changes the guest through this session, and says how to go on.
 *
 * <p>Nothing is asked of the shadow MMU, and in emulate mode there is none, until a breakpoint or watchpoint exists:
 * with a debugger attached and nothing set, the guest runs as fast as without one.
 */
public final class DebugSession implements DebugHooks {
    private final StopListener listener;
    private DebugPort port;
    private Unicorn uc;
    private GuestView memory;
    private CodeBreakpoints breakpoints;
    private final Watchpoints watches = new Watchpoints();
    private Stepper step;
    private final long[] bases = new long[6];

    /** A stop was asked for from another thread (a debugger's connection, its Ctrl-C). */
    private volatile boolean pauseRequested;
    private boolean started;
    /** A stop the hooks found, reported at the next pass. */
    private DebugStop pending;
    /** The access a watch refused, being let through by the current step. */
    private long watchedAccess;
    private boolean watchedWrite, watchStep;
    private boolean changed, codeWritten, flushTlb;
    private boolean stepIntoInterrupts;
    /** The debugger ended the current run itself (uc_emu_stop): it did not end in a hlt. */
    private boolean stoppedEngine;

    /** {@code waitAtStart}: stop before the guest's first instruction (QEMU's -S). */
    public DebugSession(StopListener listener, boolean waitAtStart) {
        this.listener = listener;
        this.pauseRequested = waitAtStart;
    }

    @Override
    public void attach(DebugPort p) {
        this.port = p;
        this.uc = p.engine();
        this.memory = new GuestView(uc, p.ram());
        this.breakpoints = new CodeBreakpoints(uc, p.ram(), this::stopEngine);
        this.step = new Stepper(uc, memory);
    }

    // ---------------------------------------------------------------- the listener's side

    /** Stops the guest as soon as it can (at the next block of code, or at once when halted). Any thread. */
    public void requestPause() {
        pauseRequested = true;
        DebugPort p = port;
        if (p != null) p.wake();
    }

    /**
     * Forgets the stop requests made so far (the listener calls it when it resumes the guest: requests made while
     * it was stopped are void).
     */
    public void cancelPause() { pauseRequested = false; }

    public DebugPort port() { return port; }

    public GuestView memory() { return memory; }

    /** A breakpoint at linear {@code address}; false when no more fit. While stopped. */
    public boolean insertBreakpoint(long address, boolean hardware) {
        changed = true;
        return breakpoints.insert(address, hardware ? CodeBreakpoints.Kind.HARDWARE : CodeBreakpoints.Kind.SOFTWARE);
    }

    public boolean removeBreakpoint(long address) {
        changed = true;
        return breakpoints.remove(address);
    }

    /** A watchpoint on {@code length} bytes at linear {@code address}; false when no more fit. While stopped. */
    public boolean insertWatchpoint(long address, int length, WatchKind kind) {
        changed = true;
        return watches.insert(address, length, kind);
    }

    public boolean removeWatchpoint(long address, int length, WatchKind kind) {
        changed = true;
        return watches.remove(address, length, kind);
    }

    /** The debugger wrote guest memory: the engine's translated code may be stale. */
    public void memoryChanged() { codeWritten = true; }

    /** Whether a single step may enter an interrupt handler (off: events wait until the step is done). */
    public void stepIntoInterrupts(boolean on) { stepIntoInterrupts = on; }

    public boolean stepsIntoInterrupts() { return stepIntoInterrupts; }

    // ---------------------------------------------------------------- the run loop's side

    @Override
    public void atPass(boolean halted) {
        if (pending == null && !pauseRequested) return;
        DebugStop stop = pending != null ? pending : DebugStop.of(started ? DebugStop.Reason.PAUSED : DebugStop.Reason.START);
        pending = null;
        pauseRequested = false;
        if (step.active()) step.finish(false);   // a stop asked for in the middle of a step: the step is abandoned
        endAllowance();
        port.holdTimers();
        port.clock().freeze();
        Resume resume;
        try {
            resume = listener.stopped(this, stop);
        } finally {
            port.clock().thaw();
        }
        started = true;
        switch (resume) {
            case STEP -> step.begin(true);
            case KILL -> port.stop(new StopReason(StopReason.Cause.INTERRUPTED, "killed from the debugger"));
            case DETACH -> {
                breakpoints.clear();
                watches.clear();
                changed = true;
            }
            case CONTINUE -> { }
        }
        apply();
    }

    /** Puts what the debugger changed while the guest was stopped into effect (between runs). */
    private void apply() {
        if (changed) {
            port.translateThroughDebugger(breakpoints.any() || watches.any());
            // Breakpoints moved: no translated block may still jump straight into code without them (or with old ones).
            codeWritten = true;
            changed = false;
        }
        if (codeWritten) {
            uc.flushCodeCache();
            breakpoints.reset();
            codeWritten = false;
        }
    }

    @Override
    public boolean holdEvents(boolean halted) {
        if (!step.active()) return false;
        if (!halted && !stepIntoInterrupts) return true;
        // The step may end in a handler (a halted guest can only go on by taking an interrupt): the handler must
        // not see the debugger's TF in the EFLAGS it saves.
        step.hideFlag();
        return false;
    }

    @Override
    public void delivered() {
        if (step.active()) endStep(false);
    }

    @Override
    public boolean beforeRun() {
        if (pending != null || pauseRequested) return false;
        if (flushTlb) {
            uc.flushTlb();
            flushTlb = false;
        }
        if (breakpoints.purgeWanted()) {
            uc.flushCodeCache();
            breakpoints.reset();
        }
        if (step.active()) step.arm();
        return true;
    }

    @Override
    public boolean afterRun() {
        boolean stopped = stoppedEngine;
        stoppedEngine = false;
        // A hlt the engine ran itself ends the run with EIP past it and no debug trap: the step is done.
        if (!stopped && step.active() && step.movedOn()) endStep(false);
        return stopped;
    }

    /** Ends the current run at the next block (the vCPU's run loop is told it was the debugger's doing). */
    private void stopEngine() {
        stoppedEngine = true;
        uc.stop();
    }

    @Override
    public boolean refusedByDebugger() {
        if (!watches.takeRefusal()) {
            if (step.active()) step.hideFlag();   // the guest's #PF is delivered next
            return false;
        }
        watchedAccess = uc.lastInvalidAddress();
        watchedWrite = watches.refusedWrite();
        watchStep = true;
        watches.allowOnce(memory);
        if (!step.active()) step.begin(false);
        return true;
    }

    // ---------------------------------------------------------------- the trap path (inside the engine)

    @Override
    public boolean intercept(int vector) {
        if (vector == 1 && step.active()) {
            uc.context().takeException();   // QEMU noted #DB as the last exception: forget it, as for any event
            if (step.inside(uc.reg(X86.EIP), uc.selector(X86.CS))) return true;   // a nop of a rewritten instruction
            endStep(true);
            stopEngine();
            return true;
        }
        if (vector == 3 && breakpoints.any()) {
            int eip = uc.reg(X86.EIP);
            uc.context().segmentState(bases);
            long at = (bases[X86.SEG_CS] + eip - 1) & 0xFFFFFFFFL;
            CodeBreakpoints.Kind kind = breakpoints.at(at);
            if (kind != CodeBreakpoints.Kind.NONE) {
                if (step.active()) {
                    step.finish(false);
                    endAllowance();
                }
                uc.setReg(X86.EIP, eip - 1);
                pending = new DebugStop(kind == CodeBreakpoints.Kind.HARDWARE ? DebugStop.Reason.HARDWARE_BREAKPOINT
                        : DebugStop.Reason.SOFTWARE_BREAKPOINT, at, null);
                stopEngine();
                return true;
            }
        }
        if (step.active()) step.hideFlag();   // Popek emulates or delivers next: it must see the guest's own TF
        return false;
    }

    @Override
    public void trapHandled(boolean completed) {
        if (!step.active() || !completed) return;   // (not completed: the instruction runs again, armed again)
        endStep(false);
        stopEngine();
    }

    /** The stepped instruction is done: a watch it hit, the user's step, or (a watched access let through) nothing. */
    private void endStep(boolean byDebugTrap) {
        boolean user = step.user();
        step.finish(byDebugTrap);
        if (watchStep) {
            Watchpoints.Hit hit = watches.hit(watchedAccess, step.accessSize(), watchedWrite, memory);
            endAllowance();
            if (hit != null) {
                pending = new DebugStop(DebugStop.Reason.WATCHPOINT, hit.address(), hit.kind());
                return;
            }
        }
        if (user) pending = DebugStop.of(DebugStop.Reason.STEP);
    }

    /** Ends the grant a watched access was let through with; what it let into the TLB goes before the next run. */
    private void endAllowance() {
        if (!watchStep) return;
        watchStep = false;
        watches.endAllowance();
        flushTlb = true;
    }

    // ---------------------------------------------------------------- the shadow MMU's side (inside the TLB fill)

    @Override
    public long codePage(long linearPage, long runFrom, long ramPage) {
        return breakpoints.codePage(linearPage, runFrom, ramPage);
    }

    @Override
    public int dataPermissions(long linearPage, long ramPage, boolean write, int perms) {
        perms = breakpoints.dataPermissions(linearPage, ramPage, write, perms);
        return watches.permissions(linearPage, write, perms, !uc.loadingDescriptor());
    }

    @Override
    public void finished(StopReason reason) {
        try {
            listener.finished(reason);
        } finally {
            if (step != null) step.close();
            if (breakpoints != null) breakpoints.close();
        }
    }
}
