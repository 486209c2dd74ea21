package popek.cpu;

import java.util.concurrent.locks.LockSupport;

import popek.engine.Unicorn;
import popek.engine.X86;
import popek.stats.ExitReason;
import popek.stats.RunStats;
import popek.stats.TrapKind;
import popek.translate.ShadowCode;

/**
 * One virtual CPU's run loop. Guest code runs inside {@code uc_emu_start} at Unicorn's full speed; the engine comes
 * back to Java for port I/O, device memory and exceptions (hooks: {@link DeviceAccess} and the mode's
 * {@link ExitHandler}, handled in place), and returns from the run for a timer deadline, an event to deliver,
 * {@code hlt}, or a stop. Between runs the loop advances the devices to the current virtual time, has the mode's
 * handler deliver a pending event when the guest may take it, and parks the host thread while the guest is halted,
 * so an idle guest costs no host CPU. Built by {@link VcpuBuilder}.
 *
 * <p>The loop is a sequence of passes ({@link #pass}), each ending in a {@link RunState}: another thread may ask for
 * a stop or a wake-up at any time ({@link #requestStop}, {@link #wake}), and a halted vCPU waits outside the pass,
 * which is where a scheduler running many vCPUs on a few threads would park it instead.
 *
 * <p>There is no {@code UC_HOOK_CODE} and no instruction-count run anywhere: either one makes an asynchronous stop
 * return a stale EIP (shared/unicorn-experiments/REPORT_211.md).
 */
public final class Vcpu implements AutoCloseable {
    /** While an interrupt waits for the guest to set IF (which it does without trapping), look again this often. */
    private static final long IF_POLL_NANOS = 100_000;
    /**
     * How long a hlt that may have been a stop is believed: if no interrupt comes within this, the guest runs on (see
     * {@link #pass}, where a hlt is recognised).
     */
    private static final long UNCERTAIN_HALT_NANOS = 10_000_000;
    /** POPEK_TRACE=1: one line per run-loop pass and per delivered event on stderr, for debugging a guest. */
    static final boolean TRACE = System.getenv("POPEK_TRACE") != null;

    private final Unicorn uc;
    private final VirtualClock clock;
    private final RunStats stats;
    private final long timeoutNanos;
    private final TimedDevices timers;
    private final ExitRequests requests;
    private final ExitHandler exits;
    private final StopTexts texts;
    /** The debugger attached to this vCPU, or null (then nothing of debugging costs anything). */
    private final DebugHooks debug;

    private volatile RunState state = RunState.READY;
    private Preemptor preemptor;
    /** Halted, but the run loop could not tell a hlt from a stop at the byte after one: see UNCERTAIN_HALT_NANOS. */
    private boolean haltUncertain;
    private long uncertainUntil;
    /** The last pass left the guest halted with nothing to do: wait until {@link #wakeAt} or a kick. */
    private boolean idle;
    /** When an idle vCPU must look again even if nothing wakes it (virtual ns). */
    private long wakeAt;

    Vcpu(Unicorn uc, VirtualClock clock, RunStats stats, long timeoutNanos, TimedDevices timers, ExitRequests requests,
         ExitHandler exits, StopTexts texts, DebugHooks debug) {
        this.uc = uc;
        this.clock = clock;
        this.stats = stats;
        this.timeoutNanos = timeoutNanos;
        this.timers = timers;
        this.requests = requests;
        this.exits = exits;
        this.texts = texts;
        this.debug = debug;
    }

    /** Ends the run with this reason (the first reason given wins). Any thread. */
    public void requestStop(StopReason reason) { requests.requestStop(reason); }

    /** Makes the run loop look at its devices now (terminal input arrived). Any thread. */
    public void wake() { requests.wake(); }

    /** Where the run loop is. Any thread. */
    public RunState state() {
        RunState s = state;
        return s != RunState.STOPPED && requests.stopping() ? RunState.STOPPING : s;
    }

    /**
     * Runs the guest from {@code eip} until it stops, on the calling thread, which it keeps (parked while the guest
     * is halted); returns why. {@link ScheduledVcpu} runs it on the host scheduler instead.
     */
    public StopReason run(int eip) {
        begin(eip, VcpuHost.thread(Thread.currentThread()));
        try {
            while (pass() != RunState.STOPPED) {
                if (idle && !preemptor.kickPending()) {
                    LockSupport.parkNanos(this, Math.max(0, wakeAt - clock.nanos()));
                }
            }
            return requests.stopReason();
        } finally {
            finish();
        }
    }

    /** Starts a run from {@code eip} on {@code host}: the timer thread, the first state. */
    void begin(int eip, VcpuHost host) {
        preemptor = new Preemptor(uc, clock, host);
        requests.attach(preemptor);
        preemptor.start();
        uc.setReg(X86.EIP, eip);
        state = RunState.RUNNING;
    }

    /** Ends a run begun with {@link #begin} (the loop saw STOPPED, or failed); returns why it stopped. */
    StopReason finish() {
        requests.attach(null);
        preemptor.shutdown();
        if (debug != null) debug.finished(requests.stopReason());
        return requests.stopReason();
    }

    /** Is a debugger attached? (It holds the guest inside a pass: such a vCPU keeps a thread of its own.) */
    public boolean debugged() { return debug != null; }

    /** After a pass that returned HALTED: the guest waits with nothing to do, and no kick has come since. */
    boolean idleNow() { return idle && !preemptor.kickPending(); }

    /** The clock (the scheduled loop measures CPU time for it when it follows it). */
    VirtualClock clock() { return clock; }

    /** Set by the host scheduler's stop: a run it ended counts as stopped, not as a hlt, in {@link #pass}. */
    private volatile boolean schedulerStop;

    /** Ends the current run for the host scheduler (its slice is over). Any thread. */
    void stopForScheduler() {
        schedulerStop = true;
        uc.stop();
    }

    /**
     * One pass of the loop: looks at stops, the timeout, the devices and pending events, then either runs guest code
     * until the engine returns (RUNNING, or HALTED when the run ended in a hlt), or, halted, publishes when it must
     * look again ({@link #wakeAt}), sets {@link #idle} and returns HALTED for the caller to wait. STOPPING: a stop is
     * pending, the next pass ends the run; STOPPED: over.
     */
    RunState pass() {
        idle = false;
        boolean kicked = preemptor.acknowledge();
        schedulerStop = false;   // (one that comes before the engine starts is lost there, and asked again)
        if (debug != null) debug.atPass(state == RunState.HALTED);   // a debugger may hold the guest here
        if (requests.stopping()) {
            stats.exit(ExitReason.STOP);
            return state = RunState.STOPPED;
        }
        long now = clock.nanos();
        if (timeoutNanos > 0 && now >= timeoutNanos) return stopWith(texts.timeout(timeoutNanos));
        long next = timers.advance(now);
        if (requests.stopping()) return state = RunState.STOPPING;   // a device stopped the machine
        EventCheck events = debug != null && debug.holdEvents(state == RunState.HALTED) ? EventCheck.NONE
                : exits.deliverEvents(now, state == RunState.HALTED);
        if (requests.stopping()) return state = RunState.STOPPING;
        if (events.delivered()) {
            state = RunState.RUNNING;
            haltUncertain = false;
            if (debug != null) debug.delivered();
            // A timer that owes ticks raises the next one once the last has been taken; it then waits in IRR behind
            // the one in service until the guest's EOI (see OwedTicks).
            next = Math.min(next, timers.advance(now));
        }
        if (events.waiting()) next = Math.min(next, now + IF_POLL_NANOS);
        if (timeoutNanos > 0) next = Math.min(next, timeoutNanos);

        if (state == RunState.HALTED) {
            if (!exits.canWake()) return stopWith(exits.haltedForever());
            if (haltUncertain) {
                if (now >= uncertainUntil) {   // no interrupt came: it was a stop after all, not a hlt
                    haltUncertain = false;
                    return state = RunState.RUNNING;
                }
                next = Math.min(next, uncertainUntil);
            }
            requests.publishDeadline(next);
            wakeAt = next;
            idle = true;
            return state;
        }
        requests.publishDeadline(next);
        if (debug != null && !debug.beforeRun()) return state;
        if (TRACE) trace("run   eip=%08x eflags=%08x cs=%04x next-deadline=%d now=%d", uc.reg(X86.EIP), uc.reg(X86.EFLAGS), uc.selector(X86.CS), next, now);
        requests.beginRun(events.waiting());
        int err = uc.start(uc.reg(X86.EIP) & 0xFFFFFFFFL);
        if (err == X86.ERR_EXCEPTION && refusedTranslation()) return state;
        if (err != X86.ERR_OK) return stopWith(texts.engineError(err));
        exits.afterRun();
        // The debugger may have stopped the run itself (a breakpoint, a step's end): that is no hlt, whatever byte
        // precedes EIP.
        boolean debuggerStopped = debug != null && debug.afterRun();
        if (requests.stopping()) return state = RunState.STOPPING;
        boolean stopped = preemptor.kickPending() || kicked || requests.eventRequested() || schedulerStop;
        if (requests.haltRequested()) {   // an emulated hlt, or a para guest's BLOCK
            stats.exit(ExitReason.HALT);
            return state = RunState.HALTED;
        }
        if (!debuggerStopped && exits.ranHlt(stopped)) {
            // Unicorn returns from hlt as from a stop, with EIP past the F4. When a stop was also requested the
            // byte could instead end the instruction before a block boundary (or EIP be where an interrupt that
            // woke an earlier hlt returned to); then this is taken for a hlt only with IF set, never for a
            // cli; hlt, where it would stop the machine (a real cli; hlt loop comes round again and is seen
            // unambiguously), and only for a while: if no interrupt comes within UNCERTAIN_HALT_NANOS the guest
            // runs on. A guest with no interrupt source left would otherwise wait forever on a wrong guess
            // (measured: 1 run in 6 of the ata-pio guest, whose last interrupt had woken a hlt); the price of a
            // right guess is a hlt that returns after 10 ms without an interrupt, and only when a stop coincided.
            haltUncertain = stopped;
            uncertainUntil = clock.nanos() + UNCERTAIN_HALT_NANOS;
            stats.exit(ExitReason.HALT);
            stats.count(TrapKind.HALT);
            return state = RunState.HALTED;
        }
        stats.exit(stopped && !requests.eventRequested() ? ExitReason.TIMER : ExitReason.EVENT);
        return state;
    }

    /** A run ended on a translation the shadow MMU refused: the debugger's (a watched page), or the guest's #PF. */
    private boolean refusedTranslation() {
        if (debug == null) return exits.deliverRefusedPageFault();
        if (debug.refusedByDebugger()) return true;
        boolean delivered = exits.deliverRefusedPageFault();
        if (delivered) debug.trapHandled(true);
        return delivered;
    }

    /** Stops with {@code reason} unless another reason came first; the run is over. */
    private RunState stopWith(StopReason reason) {
        requests.stopWith(reason);
        stats.exit(ExitReason.STOP);
        return state = RunState.STOPPED;
    }

    static void trace(String format, Object... args) {
        System.err.printf("popek-trace: " + format + "%n", args);
    }

    /** Full mode's shadow code pages (for tests and statistics), or null in emulate mode. */
    public ShadowCode shadowCode() { return exits.shadowCode(); }

    /** Closes what the vCPU opened (the disassembler, full mode's shadow pools); the engine belongs to the caller. */
    @Override
    public void close() {
        texts.close();
        exits.close();
    }
}
