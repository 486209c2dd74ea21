package popek.cpu;

import popek.engine.Unicorn;
import popek.memory.GuestMemory;
import popek.stats.RunStats;
import popek.translate.ShadowCode;

/**
 * What a debugger may use of the vCPU it is attached to ({@link DebugHooks#attach}): the engine and RAM, the
 * machine's clock and counters, and the few controls only the vCPU has. Engine and RAM are the vCPU thread's: use
 * them only from {@link DebugHooks} calls.
 */
public final class DebugPort {
    private final Unicorn uc;
    private final GuestMemory ram;
    private final VirtualClock clock;
    private final RunStats stats;
    private final ExecutionMode mode;
    private final ShadowMmu mmu;
    private final boolean mmuAlwaysOn;
    private final ExitRequests requests;
    private final ExitHandler exits;
    private boolean throughDebugger;

    DebugPort(Unicorn uc, GuestMemory ram, VirtualClock clock, RunStats stats, ExecutionMode mode, ShadowMmu mmu,
              boolean mmuAlwaysOn, ExitRequests requests, ExitHandler exits) {
        this.uc = uc;
        this.ram = ram;
        this.clock = clock;
        this.stats = stats;
        this.mode = mode;
        this.mmu = mmu;
        this.mmuAlwaysOn = mmuAlwaysOn;
        this.requests = requests;
        this.exits = exits;
    }

    public Unicorn engine() { return uc; }

    public GuestMemory ram() { return ram; }

    public VirtualClock clock() { return clock; }

    public RunStats stats() { return stats; }

    public ExecutionMode mode() { return mode; }

    /** Full mode's shadows of kernel code, or null. */
    public ShadowCode shadowCode() { return exits.shadowCode(); }

    /**
     * Routes every TLB fill through {@link DebugHooks#codePage} and {@link DebugHooks#dataPermissions} (on), or
     * not (off: the shadow MMU asks nothing of the debugger). In emulate mode, which otherwise lets Unicorn walk the
     * guest's page tables, this turns Popek's shadow MMU on and off with it. Drops the TLB either way. Between runs.
     */
    public void translateThroughDebugger(boolean on) {
        if (on == throughDebugger) return;
        throughDebugger = on;
        mmu.debug(on ? debugHooks : null);
        if (mmuAlwaysOn) uc.flushTlb();
        else uc.useVirtualTlb(on);
    }

    private DebugHooks debugHooks;

    void hooks(DebugHooks hooks) { this.debugHooks = hooks; }

    /** Ends the run with this reason (the first reason given wins). Any thread. */
    public void stop(StopReason reason) { requests.requestStop(reason); }

    /** Has the run been asked to end? Any thread. */
    public boolean stopping() { return requests.stopping(); }

    /** Makes the run loop start a new pass soon (it calls {@link DebugHooks#atPass}), even from hlt. Any thread. */
    public void wake() { requests.wake(); }

    /** The timer thread need not wake the vCPU until it runs again (while the debugger holds it, time stands still). */
    public void holdTimers() { requests.publishDeadline(Long.MAX_VALUE); }
}
