package popek.cpu;

import popek.engine.X86;
import popek.translate.ShadowCode;

/**
 * Full mode's exits: kernel code runs from shadow pages whose sensitive instructions trap as {@code int3}
 * ({@link FullVirtualization}), each emulated here against the virtual CPU; the shadow MMU walks the guest's page
 * tables; and an emulated {@code sti}, {@code mov ss} or {@code pop ss} holds interrupts for one instruction as the CPU
 * does. Real-mode code runs unrewritten, so its {@code hlt} runs on the engine.
 */
sealed class FullExits extends ModeExits permits ParaExits {
    private final FullVirtualization full;
    private final GuestFault fault;
    /**
     * Where the interrupt shadow of the last emulated sti, mov ss or pop ss ends. The run loop delivers nothing the
     * first time it finds EIP there (the engine stopped before that instruction ran), then forgets it: an interrupt
     * waits one more poll at most. (Cheaper than setting QEMU's own shadow flag: a context save and restore on every
     * sti.) Only if the engine stops twice at that EIP without running an instruction between could an interrupt be
     * taken inside the shadow; an emulated hlt after sti is seen as a hlt, which is what matters.
     */
    private int shadowEip = -1;
    /** Where the last emulated sti's shadow ended (not forgotten when the loop holds it): no interrupt is taken first there. */
    private int shadowEnd = -1;
    /** The trap site that last gave way to a waiting interrupt (INTERRUPT_FIRST), until one is delivered. */
    private int interruptFirstAt = -1;

    FullExits(ExitContext c, int codePoolPages) {
        this(c, new FullVirtualization(c.uc(), c.ram(), c.mem(), c.fault(), c.segments(), c.tsc(), c.devices(),
                codePoolPages > 0 ? codePoolPages : FullVirtualization.POOL_PAGES));
    }

    private FullExits(ExitContext c, FullVirtualization full) {
        super(c, new ShadowMmu(c.uc(), c.ram(), full));
        this.full = full;
        this.fault = c.fault();
    }

    @Override
    TrapResult rewrittenTrap(long began) {
        int trappedAt = uc.reg(X86.EIP);
        // Once per site until an interrupt is delivered: should the loop not deliver it after all, the guest runs on.
        TrapResult result = full.trap(trappedAt, pic.hasPendingInterrupt() && trappedAt != interruptFirstAt ? shadowEnd
                : FullVirtualization.NO_INTERRUPT_WAITING);
        switch (result) {
            case NOT_A_SITE -> {
                return result;
            }
            case INTERRUPT_FIRST -> {   // EIP is back on the instruction: the loop delivers
                interruptFirstAt = trappedAt;
                requests.lookAtEvents();
                return result;
            }
            case HALT -> requests.halt();
            case SHADOW -> shadowEip = shadowEnd = full.lastNext();
            case INTERRUPT_WINDOW -> {
                if (pic.hasPendingInterrupt()) requests.lookAtEvents();   // IF is now set: deliver it before the next instruction
            }
            case FAULTED -> {
                GuestFault f = full.fault();
                int eip = uc.reg(X86.EIP);
                if (f.vector < 0) {
                    requests.requestStop(texts.unsupported(full.unsupported(), eip));
                } else {
                    if (TRACE) Vcpu.trace("fault vector=%d err=%x in emulated %s at eip=%08x", f.vector, f.errorCode, full.lastClass().label(), eip);
                    deliverFault(f, eip);
                }
            }
            case NO_MEMORY -> requests.requestStop(texts.noMemory(full.noMemory(), uc.reg(X86.EIP)));
            case CONTINUE -> { }
        }
        if (full.stepTrap() && !requests.stopping()) {   // TF was set: the single-step #DB after the instruction
            uc.setReg(X86.DR6, uc.reg(X86.DR6) | X86.DR6_BS);
            deliverFault(fault.raise(Vectors.DB, 0), uc.reg(X86.EIP));
        }
        if (TRACE) Vcpu.trace("trap  %s (int3 at %08x) -> eip=%08x", full.lastClass().label(), trappedAt - 1, uc.reg(X86.EIP));
        stats.sensitive(full.lastClass().ordinal(), began);
        return result;
    }

    @Override
    boolean steppedPadding(int eip) { return full.steppedPadding(eip); }

    @Override
    boolean inInterruptShadow() {
        if (shadowEip != -1 && uc.reg(X86.EIP) == shadowEip) {
            // Held once: by the next look the guest has run on (a loop whose head follows an sti comes back to this
            // EIP again and again; holding every time there starved it of interrupts: Linux's jiffies stood still).
            shadowEip = -1;
            return true;
        }
        return super.inInterruptShadow();
    }

    @Override
    void interruptTaken() {
        shadowEip = -1;
        interruptFirstAt = -1;
    }

    @Override
    public void afterRun() { full.purgeIfRequested(); }

    /** (Kernel code in protected mode never runs hlt itself: it is rewritten, and traps as HALT.) */
    @Override
    boolean hltRunsNatively() { return StopTexts.realMode(uc); }

    @Override
    public ShadowCode shadowCode() { return full.shadows(); }

    @Override
    public void close() { full.close(); }
}
