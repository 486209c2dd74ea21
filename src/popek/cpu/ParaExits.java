package popek.cpu;

import popek.engine.X86;
import popek.stats.TrapKind;

/**
 * Para mode's exits: full mode's engine, with events delivered by the guest's upcall instead of the interrupt
 * controller and IDT, and a guest that blocks ({@code HC_BLOCK}) instead of halting. Its hypercalls come through
 * {@link DeviceAccess} ({@link HypercallPort}).
 */
final class ParaExits extends FullExits {
    private final ParaGuest para;

    ParaExits(ExitContext c, int codePoolPages, ParaGuest para) {
        super(c, codePoolPages);
        this.para = para;
    }

    /**
     * Delivers the guest's event upcall when an event is pending and unmasked; says HELD when one is pending but
     * masked (the guest unmasks with a plain store, so the loop must look again soon).
     */
    @Override
    public EventCheck deliverEvents(long now, boolean halted) {
        para.tick(now);
        ParaGuest.Upcall state = para.upcallState();
        if (state != ParaGuest.Upcall.READY) return state == ParaGuest.Upcall.NONE ? EventCheck.NONE : EventCheck.HELD;
        long began = stats.begin();
        int eip = uc.reg(X86.EIP);
        InterruptDelivery.Result result = delivery.deliverUpcall(para.takeUpcall(), eip);
        if (TRACE) Vcpu.trace("upcall eip=%08x -> %08x result=%s", eip, uc.reg(X86.EIP), result);
        afterDelivery(result, Vectors.UPCALL, eip);
        stats.trap(TrapKind.UPCALL, began);
        return EventCheck.DELIVERED;
    }

    @Override
    public boolean canWake() { return para.canWake() || para.upcallState() != ParaGuest.Upcall.NONE; }

    @Override
    public StopReason haltedForever() { return texts.blockedForever(); }
}
