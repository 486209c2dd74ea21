package popek.cpu;

import popek.engine.Unicorn;
import popek.engine.X86;
import popek.stats.RunStats;
import popek.stats.TrapKind;

/**
 * Para mode's hypercall port, whose read is a hypercall (the hypercall page's entry instruction reads it): the para
 * interface does the work, then the vCPU acts on what it asks. Reached through {@link DeviceAccess} by either route,
 * so a caller at CPL 1-3 (whose {@code in} is rewritten) gets the interface's -EPERM too.
 */
final class HypercallPort {
    /** The port (pv.h's, and the hypercall page's). */
    static final int PORT = 0xE0;

    private final Unicorn uc;
    private final ParaGuest para;
    private final GuestAccess mem;
    private final TimedDevices timers;
    private final ExitRequests requests;
    private final RunStats stats;

    HypercallPort(Unicorn uc, ParaGuest para, GuestAccess mem, TimedDevices timers, ExitRequests requests, RunStats stats) {
        this.uc = uc;
        this.para = para;
        this.mem = mem;
        this.timers = timers;
        this.requests = requests;
        this.stats = stats;
    }

    /**
     * A hypercall: returns EAX. Afterwards the vCPU acts on its effects: paging changed (the VMM's own translations
     * go), block (wait like hlt), a timer set (re-arm the host timer: only a new timer can be due sooner), and ends
     * the run if an event can now be delivered, so the upcall comes before the next guest instruction.
     */
    int call() {
        long began = stats.begin();
        int result = para.hypercall(uc.selector(X86.CS) & 3);
        int effects = para.effects();
        if ((effects & ParaGuest.EFFECT_PAGING) != 0) mem.refresh();
        if ((effects & ParaGuest.EFFECT_BLOCK) != 0) {
            requests.halt();
        } else if (para.upcallState() == ParaGuest.Upcall.READY) {
            requests.lookAtEvents();
        }
        if ((effects & ParaGuest.EFFECT_TIMER) != 0) requests.deadlineAt(timers.nextWaking());
        stats.trap(TrapKind.HYPERCALL, began);
        return result;
    }
}
