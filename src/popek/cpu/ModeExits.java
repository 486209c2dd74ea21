package popek.cpu;

import popek.devices.InterruptController;
import popek.engine.Hooks;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.stats.ExitReason;
import popek.stats.RunStats;
import popek.stats.TrapKind;
import popek.translate.ShadowCode;

/**
 * What every mode's exit handler shares: exceptions and {@code int n} delivered through the guest's IDT (or
 * answered as a missing BIOS in real mode), external interrupts from the interrupt controller, #PF for a translation
 * the shadow MMU refused, {@code sysenter} and {@code syscall} (which Unicorn leaves undone), {@code cpuid}, and the stop that follows
 * an event Popek cannot deliver. The hooks run on the vCPU thread inside the engine and allocate nothing.
 */
abstract sealed class ModeExits implements ExitHandler, Hooks.Interrupt, Hooks.InvalidInstruction, Hooks.Sysenter,
        Hooks.Syscall, Hooks.Answer permits EmulateExits, FullExits {
    /** POPEK_TRACE=1: one line per delivered event on stderr, for debugging a guest. */
    static final boolean TRACE = Vcpu.TRACE;

    protected final Unicorn uc;
    protected final GuestAccess mem;
    protected final InterruptDelivery delivery;
    protected final InterruptController pic;
    protected final ExitRequests requests;
    protected final StopTexts texts;
    protected final RunStats stats;
    private final SegmentCache segments;
    private final GuestFault fault;
    private final CpuidTable cpuid;
    /** sysenter, which Unicorn does not execute (in either mode). */
    private final SegmentOps fastCalls;
    /** The shadow MMU, or null when Unicorn walks the guest's page tables itself. */
    private final ShadowMmu mmu;
    private final byte[] haltProbe = new byte[1];
    /** The debugger attached to the vCPU, or null. */
    private DebugHooks debug;

    ModeExits(ExitContext c, ShadowMmu mmu) {
        this.uc = c.uc();
        this.mem = c.mem();
        this.delivery = c.delivery();
        this.pic = c.pic();
        this.requests = c.requests();
        this.texts = c.texts();
        this.stats = c.stats();
        this.segments = c.segments();
        this.fault = c.fault();
        this.cpuid = c.cpu().cpuid();
        this.fastCalls = new SegmentOps(uc, mem, c.fault(), segments, null);
        this.mmu = mmu;
    }

    /** The shadow MMU to install as the TLB-fill hook, or null. */
    ShadowMmu mmu() { return mmu; }

    /** Attaches a debugger (or none): it sees every exception and interrupt first ({@link DebugHooks#intercept}). */
    void debug(DebugHooks d) { this.debug = d; }

    // ---------------------------------------------------------------- between runs

    @Override
    public EventCheck deliverEvents(long now, boolean halted) {
        return deliverPendingInterrupt(halted);
    }

    /**
     * Delivers the highest-priority pending IRQ if the guest's IF is set and it is not in the shadow of {@code sti};
     * says whether one is still pending afterwards, held back or next in line (so the loop must look again soon: the
     * guest sets IF with {@code sti}, {@code popf} or {@code iret} without exiting).
     */
    final EventCheck deliverPendingInterrupt(boolean halted) {
        if (!pic.hasPendingInterrupt()) return EventCheck.NONE;
        if ((uc.reg(X86.EFLAGS) & X86.FLAG_IF) == 0 || (!halted && inInterruptShadow())) return EventCheck.HELD;
        int vector = pic.acknowledge();
        long began = stats.begin();
        int eip = uc.reg(X86.EIP);
        InterruptDelivery.Result result = delivery.deliver(vector, InterruptDelivery.Source.EXTERNAL, 0, eip);
        if (TRACE) Vcpu.trace("irq   vector=%d eip=%08x -> %08x result=%s", vector, eip, uc.reg(X86.EIP), result);
        afterDelivery(result, vector, eip);
        interruptTaken();
        stats.trap(TrapKind.EXTERNAL_INTERRUPT, began);
        stats.vector(vector);
        return pic.hasPendingInterrupt() ? EventCheck.DELIVERED_MORE : EventCheck.DELIVERED;
    }

    /** Is the guest in the shadow of an {@code sti}, {@code mov ss} or {@code pop ss} (no interrupt may come yet)? */
    boolean inInterruptShadow() { return uc.context().interruptShadow(); }

    /** An external interrupt was delivered. */
    void interruptTaken() { }

    @Override
    public boolean canWake() { return (uc.reg(X86.EFLAGS) & X86.FLAG_IF) != 0; }

    @Override
    public StopReason haltedForever() { return texts.haltedWithInterruptsOff(); }

    @Override
    public boolean deliverRefusedPageFault() {
        if (mmu == null) return false;
        long missing = mmu.takeMissingFetch();
        if (missing >= 0) {
            requests.requestStop(texts.jumpedToNoMemory(missing | (uc.lastInvalidAddress() & 0xFFF), uc.reg(X86.EIP)));
            return true;
        }
        int pf = mmu.takeFault();
        if (pf < 0) return false;
        pageFault(uc.lastInvalidAddress(), pf);
        return true;
    }

    @Override
    public void afterRun() { }

    @Override
    public boolean ranHlt(boolean stopped) {
        return hltRunsNatively() && (!stopped || (uc.reg(X86.EFLAGS) & X86.FLAG_IF) != 0) && justHalted();
    }

    /** Can the guest's own hlt run on the engine here (rather than trap as a rewritten instruction)? */
    abstract boolean hltRunsNatively();

    /** hlt: Unicorn returns as for a stop, with EIP just past the {@code F4}. */
    private boolean justHalted() {
        mem.refresh();
        byte[] b = haltProbe;
        return mem.fetch(texts.codeLinear(uc.reg(X86.EIP) - 1), b, 1) == 1 && b[0] == (byte) 0xF4;
    }

    @Override
    public ShadowCode shadowCode() { return null; }

    @Override
    public void close() { }

    // ---------------------------------------------------------------- hooks (the trap path)

    @Override
    public void interrupt(int vector) {
        if (requests.stopping()) {   // stopping: let the engine unwind without delivering anything more
            uc.stop();
            return;
        }
        if (debug == null) {
            take(vector);
        } else if (!debug.intercept(vector)) {
            debug.trapHandled(take(vector));
        }
    }

    /**
     * Handles exception or {@code int n} {@code vector}: a rewritten instruction's trap, or an event delivered to the
     * guest. Returns false only when a rewritten instruction will run again (it let a waiting interrupt go first).
     */
    private boolean take(int vector) {
        long began = stats.begin();
        if (vector == Vectors.BP) {
            TrapResult rewritten = rewrittenTrap(began);
            if (rewritten != TrapResult.NOT_A_SITE) return rewritten != TrapResult.INTERRUPT_FIRST;
        }
        int errorCode = uc.context().takeException();
        boolean software = uc.context().lastWasSoftwareInterrupt();
        int eip = uc.reg(X86.EIP);
        if (vector == Vectors.DB && !software && steppedPadding(eip)) return true;
        InterruptDelivery.Result result = delivery.deliver(vector,
                software ? InterruptDelivery.Source.SOFTWARE : InterruptDelivery.Source.EXCEPTION, errorCode, eip);
        if (result == InterruptDelivery.Result.INTO_MISSING_BIOS) {
            intoMissingBios(vector, software, eip, began);
            return true;
        }
        if (TRACE) Vcpu.trace("trap  vector=%d err=%x soft=%b eip=%08x -> %08x result=%s", vector, errorCode, software, eip, uc.reg(X86.EIP), result);
        afterDelivery(result, vector, eip);
        stats.trap(software ? TrapKind.SOFTWARE_INTERRUPT : TrapKind.EXCEPTION, began);
        stats.vector(vector);
        return true;
    }

    /**
     * An int3 (vector 3 is raised only by int3 and int 3, so QEMU's old_exception is untouched and needs no reset):
     * if it stands for a rewritten instruction, emulates it and returns what became of it; else it is the guest's own
     * breakpoint: {@link TrapResult#NOT_A_SITE}.
     */
    TrapResult rewrittenTrap(long began) { return TrapResult.NOT_A_SITE; }

    /**
     * A single-step #DB at {@code eip}: true if it is one the guest's own instruction stream does not have (full mode's
     * steps through the padding of a rewritten instruction), to be dropped.
     */
    boolean steppedPadding(int eip) { return false; }

    /**
     * Real mode: an event whose IVT entry still points at {@link BiosStub} would enter the BIOS, which Popek does not
     * provide. A software interrupt there (a BIOS service call: int 10h, 13h, 15h...) is counted and answered as a
     * BIOS answers a function it lacks, CF set and AH = 86h, and the guest goes on after the int; an exception there
     * would return to the faulting instruction for ever, so it stops the machine with the reason.
     */
    private void intoMissingBios(int vector, boolean software, int eip, long began) {
        if (!software) {
            requests.requestStop(texts.intoMissingBios(vector, eip));
            return;
        }
        int eax = uc.reg(X86.EAX);
        stats.biosCall(vector, (eax >>> 8) & 0xFF);
        uc.setReg(X86.EAX, (eax & 0xFFFF00FF) | BiosStub.AH_UNSUPPORTED << 8);
        uc.setReg(X86.EFLAGS, uc.reg(X86.EFLAGS) | X86.FLAG_CF);
        stats.trap(TrapKind.BIOS_CALL, began);
    }

    /** Delivers the fault an instruction Popek executed raised, with EIP on that instruction. */
    final void deliverFault(GuestFault f, int eip) {
        int vector = f.vector;
        afterDelivery(delivery.deliver(vector, InterruptDelivery.Source.EXCEPTION, f.errorCode, eip), vector, eip);
        stats.vector(vector);
    }

    /** After any delivery: stops the machine when the event could not be delivered. */
    final void afterDelivery(InterruptDelivery.Result result, int vector, int eip) {
        segments.invalidate();   // the event loaded CS and SS; user code may have loaded others before it
        switch (result) {
            case DELIVERED -> { }
            case INTO_MISSING_BIOS -> intoMissingBios(vector, false, eip, 0);   // a fault Popek raised, in real mode
            default -> requests.requestStop(texts.undelivered(result, delivery, vector, eip));
        }
    }

    /** Delivers #PF for {@code linear} with CR2 set, as the MMU would have. */
    private void pageFault(long linear, int errorCode) {
        long began = stats.begin();
        uc.setReg(X86.CR2, (int) linear);
        int eip = uc.reg(X86.EIP);
        InterruptDelivery.Result result = delivery.deliver(Vectors.PF, InterruptDelivery.Source.EXCEPTION, errorCode, eip);
        if (TRACE) Vcpu.trace("#PF   cr2=%08x err=%x eip=%08x -> %08x result=%s", linear, errorCode, eip, uc.reg(X86.EIP), result);
        afterDelivery(result, Vectors.PF, eip);
        stats.exit(ExitReason.EVENT);
        stats.trap(TrapKind.EXCEPTION, began);
        stats.vector(Vectors.PF);
    }

    /**
     * sysenter: Unicorn 2.1.1 leaves it to this hook (its own helper only adds the instruction's length to EIP
     * afterwards, hence the - 2), so Popek executes it in every mode: ring 0 at SYSENTER_EIP, or #GP(0) if
     * SYSENTER_CS is null. EIP is not the sysenter's own here (Unicorn does not write it back first): only the fault
     * needs that, and finds it ({@link StopTexts#sysenterAt}).
     */
    @Override
    public void sysenter() {
        long began = stats.begin();
        try {
            fastCalls.sysenter();
        } catch (GuestFault f) {
            deliverFault(f, texts.sysenterAt(uc.reg(X86.EIP)));
        }
        uc.setReg(X86.EIP, uc.reg(X86.EIP) - 2);
        stats.trap(TrapKind.SYSENTER, began);
    }

    /**
     * syscall, which Unicorn 2.1.1 steps over doing nothing: #UD, as on Intel CPUs outside 64-bit mode (full mode
     * raises the same for a syscall in kernel code, which it rewrites). The - 2 as for sysenter.
     */
    @Override
    public void syscall() {
        int eip = uc.reg(X86.EIP);
        deliverFault(fault.raise(Vectors.UD, 0), eip);
        uc.setReg(X86.EIP, uc.reg(X86.EIP) - 2);
    }

    /** cpuid: a leaf the user configured, else the CPU model's answer. */
    @Override
    public boolean answer() {
        long began = stats.begin();
        boolean answered = false;
        if (!cpuid.isEmpty()) {
            int i = cpuid.find(uc.reg(X86.EAX), uc.reg(X86.ECX));
            if (i >= 0) {
                uc.setReg(X86.EAX, cpuid.value(i, 0));
                uc.setReg(X86.EBX, cpuid.value(i, 1));
                uc.setReg(X86.ECX, cpuid.value(i, 2));
                uc.setReg(X86.EDX, cpuid.value(i, 3));
                answered = true;
            }
        }
        stats.trap(TrapKind.CPUID, began);
        return answered;
    }

    @Override
    public boolean invalid() {
        return true;   // raise #UD through the IDT, as the CPU does
    }
}
