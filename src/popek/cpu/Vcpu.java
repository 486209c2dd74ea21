package popek.cpu;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import popek.devices.InterruptController;
import popek.devices.MmioDevice;
import popek.devices.PortBus;
import popek.devices.Timed;
import popek.engine.Capstone;
import popek.engine.Hooks;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.stats.ExitReason;
import popek.stats.RunStats;
import popek.stats.TrapKind;
import popek.translate.ShadowCode;

/**
 * One virtual CPU and its run loop. Guest code runs inside {@code uc_emu_start} at Unicorn's full speed; the engine
 * comes back to Java for port I/O and exceptions (hooks, handled in place), and returns from the run for a timer
 * deadline, an event to deliver, {@code hlt}, or a stop. Between runs the loop advances the devices to the current
 * virtual time, delivers a pending external interrupt through the guest's IDT when the guest's IF allows, and parks
 * the host thread while the guest is halted, so an idle guest costs no host CPU.
 *
 * <p>There is no {@code UC_HOOK_CODE} and no instruction-count run anywhere: either one makes an asynchronous stop
 * return a stale EIP (shared/unicorn-experiments/REPORT_211.md).
 */
public final class Vcpu implements Hooks.PortIo, Hooks.Interrupt, Hooks.InvalidInstruction, Hooks.UnmappedAccess,
        Hooks.Sysenter, Hooks.Syscall {
    /** While an interrupt waits for the guest to set IF (which it does without trapping), look again this often. */
    private static final long IF_POLL_NANOS = 100_000;
    /** POPEK_TRACE=1: one line per run-loop pass and per delivered event on stderr, for debugging a guest. */
    private static final boolean TRACE = System.getenv("POPEK_TRACE") != null;

    private final Unicorn uc;
    private final PortBus ports;
    private final InterruptController pic;
    private final Timed[] timed;
    private final VirtualClock clock;
    private final RunStats stats;
    private final long timeoutNanos;
    private final GuestFault fault = new GuestFault();
    private final GuestAccess mem;
    private final InterruptDelivery delivery;
    private final AtomicReference<StopReason> stop = new AtomicReference<>();
    private Preemptor preemptor;
    private boolean halted;
    private boolean eventRequested;   // a hook asked the loop to look at interrupts (set and read on the vCPU thread)
    /** An IRQ was pending when this run began: the loop polls for it, so the OUT hook need not stop for it. */
    private boolean irqPending;
    private boolean acknowledged;   // the loop took an interrupt from the controllers this round
    /** The deadline the preemptor was last given (vCPU thread only). */
    private long publishedDeadline = Timed.NEVER;
    private long unmappedAddress;
    private int unmappedType;

    public Vcpu(Unicorn uc, GuestMemory ram, PortBus ports, InterruptController pic, Timed[] timed, VirtualClock clock,
                RunStats stats, long timeoutNanos) {
        this(uc, ram, ports, pic, timed, clock, stats, timeoutNanos, ExecutionMode.EMULATE, false, 0, CpuConfig.DEFAULT);
    }

    /**
     * {@code shadowPaging}: walk the guest's page tables in Java on every TLB miss ({@link ShadowMmu}); full mode
     * always does. {@code codePoolPages}: how many shadow code pages full mode keeps before it starts again (0: the
     * default, {@link FullVirtualization#POOL_PAGES}).
     */
    public Vcpu(Unicorn uc, GuestMemory ram, PortBus ports, InterruptController pic, Timed[] timed, VirtualClock clock,
                RunStats stats, long timeoutNanos, ExecutionMode mode, boolean shadowPaging, int codePoolPages,
                CpuConfig cpu) {
        this.uc = uc;
        this.ports = ports;
        this.pic = pic;
        this.timed = timed.clone();
        this.clock = clock;
        this.stats = stats;
        this.timeoutNanos = timeoutNanos;
        this.mem = new GuestAccess(uc, ram, fault);
        this.segments = new SegmentCache(uc);
        this.delivery = new InterruptDelivery(uc, mem, fault, segments);
        uc.onPortIo(this);
        uc.onInterrupt(this);
        uc.onInvalidInstruction(this);
        uc.onUnmappedAccess(this);
        uc.onSysenter(this);
        uc.onSyscall(this);
        this.tsc = new VirtualTsc(clock, cpu.tscHz());
        this.cpuid = cpu.cpuid();
        uc.onCpuid(this::cpuid);
        this.fastCalls = new SegmentOps(uc, mem, fault, segments, null);
        this.full = mode == ExecutionMode.FULL || mode == ExecutionMode.PARA ? new FullVirtualization(uc, ram, mem, fault, segments, tsc, ports,
                codePoolPages > 0 ? codePoolPages : FullVirtualization.POOL_PAGES) : null;
        this.mmu = shadowPaging || full != null ? new ShadowMmu(uc, ram, full) : null;
        if (mmu != null) uc.onTlbFill(mmu);
    }

    private final ShadowMmu mmu;
    private final SegmentCache segments;
    private final VirtualTsc tsc;
    private final CpuidTable cpuid;
    /** sysenter, which Unicorn does not execute (in either mode). */
    private final SegmentOps fastCalls;
    /** Full virtualisation's rewriting and emulation, or null in emulate mode. */
    private final FullVirtualization full;
    /**
     * Full mode: where the interrupt shadow of the last emulated sti, mov ss or pop ss ends. The run loop delivers
     * nothing the first time it finds EIP there (the engine stopped before that instruction ran), then forgets it: an
     * interrupt waits one more poll at most. (Cheaper than setting QEMU's own shadow flag: a context save and restore
     * on every sti.) Only if the engine stops twice at that EIP without running an instruction between could an
     * interrupt be taken inside the shadow; an emulated hlt after sti is seen as a hlt, which is what matters.
     */
    private int shadowEip = -1;
    /** Where the last emulated sti's shadow ended (not forgotten when the loop holds it): no interrupt is taken first there. */
    private int shadowEnd = -1;
    /** The trap site that last gave way to a waiting interrupt (INTERRUPT_FIRST), until one is delivered. */
    private int interruptFirstAt = -1;
    /** The run loop could not tell a hlt from a stop at the byte after one: see UNCERTAIN_HALT_NANOS. */
    private boolean haltUncertain;
    private long uncertainUntil;
    private static final long UNCERTAIN_HALT_NANOS = 10_000_000;
    /** An emulated hlt: the run ended to wait for an interrupt. */
    private boolean haltEmulated;

    /** A para-virtualised guest's interface (para mode), or null. */
    private ParaGuest para;

    /**
     * Para mode: hypercalls on port 0xE0 go to {@code p}, events reach the guest by its upcall instead of the PIC,
     * and its trap table (once set) replaces the IDT. Call before {@link #run}.
     */
    public void para(ParaGuest p) {
        this.para = p;
        delivery.para(p);
    }

    /** Ends the run with this reason (the first reason given wins). Any thread. */
    public void requestStop(StopReason reason) {
        if (stop.compareAndSet(null, reason)) {
            Preemptor p = preemptor;
            if (p != null) p.kick(); else uc.stop();
        }
    }

    /** Makes the run loop look at its devices now (terminal input arrived). Any thread. */
    public void wake() {
        Preemptor p = preemptor;
        if (p != null) p.kick();
    }

    /** Runs the guest from {@code eip} until it stops; returns why. Call on the thread that will own the vCPU. */
    public StopReason run(int eip) {
        preemptor = new Preemptor(uc, clock, Thread.currentThread());
        preemptor.start();
        uc.setReg(X86.EIP, eip);
        try {
            return loop();
        } finally {
            preemptor.shutdown();
        }
    }

    private StopReason loop() {
        for (;;) {
            boolean kicked = preemptor.acknowledge();
            StopReason s = stop.get();
            if (s != null) {
                stats.exit(ExitReason.STOP);
                return s;
            }
            long now = clock.nanos();
            if (timeoutNanos > 0 && now >= timeoutNanos) {
                return stopWith(new StopReason(StopReason.TIMEOUT, String.format(
                        "timeout: the guest was still running after %s (at %s)", seconds(timeoutNanos), describe(uc.reg(X86.EIP)))));
            }
            long next = advanceDevices(now);
            if ((s = stop.get()) != null) continue;   // a device stopped the machine
            if (para != null) para.tick(now);
            boolean waiting = para != null ? deliverUpcall() : deliverPendingInterrupt();
            if ((s = stop.get()) != null) continue;
            if (acknowledged) {
                // A timer that owes ticks raises the next one once the last has been taken; it then waits in IRR
                // behind the one in service until the guest's EOI (see OwedTicks).
                acknowledged = false;
                next = Math.min(next, advanceDevices(now));
            }
            if (waiting) next = Math.min(next, now + IF_POLL_NANOS);
            if (timeoutNanos > 0) next = Math.min(next, timeoutNanos);

            if (halted) {
                if (para != null ? !para.canWake() && para.upcallState() == ParaGuest.NONE : (uc.reg(X86.EFLAGS) & X86.FLAG_IF) == 0) {
                    if (para != null) {
                        return stopWith(new StopReason(StopReason.HALTED_FOREVER, String.format(
                                "the guest blocked forever at %s: no timer is set and no ring can raise an event", describe(uc.reg(X86.EIP)))));
                    }
                    return stopWith(new StopReason(StopReason.HALTED_FOREVER, String.format(
                            "the guest halted with interrupts disabled, at %s: nothing can wake it", describe(uc.reg(X86.EIP) - 1))));
                }
                if (haltUncertain) {
                    if (now >= uncertainUntil) {   // no interrupt came: it was a stop after all, not a hlt
                        halted = false;
                        haltUncertain = false;
                        continue;
                    }
                    next = Math.min(next, uncertainUntil);
                }
                preemptor.setDeadline(next);
                publishedDeadline = next;
                if (!preemptor.kickPending()) LockSupport.parkNanos(this, Math.max(0, next - clock.nanos()));
                continue;
            }
            preemptor.setDeadline(next);
            publishedDeadline = next;
            if (TRACE) trace("run   eip=%08x eflags=%08x cs=%04x next-deadline=%d now=%d", uc.reg(X86.EIP), uc.reg(X86.EFLAGS), uc.selector(X86.CS), next, now);
            eventRequested = false;
            haltEmulated = false;
            irqPending = waiting;
            int err = uc.start(uc.reg(X86.EIP) & 0xFFFFFFFFL);
            if (err == X86.ERR_EXCEPTION && mmu != null) {
                int pf = mmu.takeFault();
                if (pf >= 0) {   // a page fault the shadow MMU refused: Unicorn stopped on the instruction, raised nothing
                    pageFault(uc.lastInvalidAddress(), pf);
                    continue;
                }
            }
            if (err != X86.ERR_OK) return stopWith(engineError(err));
            if (full != null) full.purgeIfRequested();
            if (stop.get() != null) continue;
            boolean stopped = preemptor.kickPending() || kicked || eventRequested;
            if (haltEmulated) {
                haltEmulated = false;
                halted = true;
                stats.exit(ExitReason.HALT);
                continue;
            }
            // (In full mode kernel code never runs hlt itself: it is rewritten, and seen above.)
            if ((full == null || realMode()) && (!stopped || (uc.reg(X86.EFLAGS) & X86.FLAG_IF) != 0) && justHalted()) {
                // Unicorn returns from hlt as from a stop, with EIP past the F4. When a stop was also requested the
                // byte could instead end the instruction before a block boundary (or EIP be where an interrupt that
                // woke an earlier hlt returned to); then this is taken for a hlt only with IF set, never for a
                // cli; hlt, where it would stop the machine (a real cli; hlt loop comes round again and is seen
                // unambiguously), and only for a while: if no interrupt comes within UNCERTAIN_HALT_NANOS the guest
                // runs on. A guest with no interrupt source left would otherwise wait forever on a wrong guess
                // (measured: 1 run in 6 of the ata-pio guest, whose last interrupt had woken a hlt); the price of a
                // right guess is a hlt that returns after 10 ms without an interrupt, and only when a stop coincided.
                halted = true;
                haltUncertain = stopped;
                uncertainUntil = clock.nanos() + UNCERTAIN_HALT_NANOS;
                stats.exit(ExitReason.HALT);
                stats.count(TrapKind.HALT);
            } else {
                stats.exit(stopped && !eventRequested ? ExitReason.TIMER : ExitReason.EVENT);
            }
        }
    }

    /** Advances every timed device to now; returns the earliest next deadline. */
    private long advanceDevices(long now) {
        long next = Timed.NEVER;
        for (Timed t : timed) {
            if (t.nextDeadline() <= now) t.advance(now);
            next = Math.min(next, t.nextDeadline());
        }
        return next;
    }

    /**
     * Delivers the highest-priority pending IRQ if the guest's IF is set and it is not in the shadow of {@code sti};
     * returns true when one is still pending afterwards, held back or next in line (so the loop must look again
     * soon: the guest sets IF with {@code sti}, {@code popf} or {@code iret} without exiting).
     */
    private boolean deliverPendingInterrupt() {
        if (!pic.hasPendingInterrupt()) return false;
        if ((uc.reg(X86.EFLAGS) & X86.FLAG_IF) == 0 || (!halted && inInterruptShadow())) return true;
        shadowEip = -1;
        int vector = pic.acknowledge();
        acknowledged = true;
        long began = stats.begin();
        int eip = uc.reg(X86.EIP);
        int result = delivery.deliver(vector, InterruptDelivery.EXTERNAL, 0, eip);
        if (TRACE) trace("irq   vector=%d eip=%08x -> %08x result=%d", vector, eip, uc.reg(X86.EIP), result);
        afterDelivery(result, vector, eip);
        halted = false;
        haltUncertain = false;
        interruptFirstAt = -1;
        stats.trap(TrapKind.EXTERNAL_INTERRUPT, began);
        stats.vector(vector);
        return pic.hasPendingInterrupt();
    }

    /**
     * Para mode: delivers the guest's event upcall when an event is pending and unmasked; returns true when one is
     * pending but masked (the guest unmasks with a plain store, so the loop must look again soon).
     */
    private boolean deliverUpcall() {
        int state = para.upcallState();
        if (state == ParaGuest.NONE) return false;
        if (state == ParaGuest.MASKED) return true;
        long began = stats.begin();
        int eip = uc.reg(X86.EIP);
        int result = delivery.deliverUpcall(para.takeUpcall(), eip);
        if (TRACE) trace("upcall eip=%08x -> %08x result=%d", eip, uc.reg(X86.EIP), result);
        afterDelivery(result, Vectors.UPCALL, eip);
        halted = false;
        stats.trap(TrapKind.UPCALL, began);
        return false;
    }

    private boolean inInterruptShadow() {
        if (full != null && shadowEip != -1 && uc.reg(X86.EIP) == shadowEip) {
            // Held once: by the next look the guest has run on (a loop whose head follows an sti comes back to this
            // EIP again and again; holding every time there starved it of interrupts: Linux's jiffies stood still).
            shadowEip = -1;
            return true;
        }
        return uc.context().interruptShadow();
    }

    /** Delivers #PF for {@code linear} with CR2 set, as the MMU would have. */
    private void pageFault(long linear, int errorCode) {
        long began = stats.begin();
        uc.setReg(X86.CR2, (int) linear);
        int eip = uc.reg(X86.EIP);
        int result = delivery.deliver(Vectors.PF, InterruptDelivery.EXCEPTION, errorCode, eip);
        if (TRACE) trace("#PF   cr2=%08x err=%x eip=%08x -> %08x result=%d", linear, errorCode, eip, uc.reg(X86.EIP), result);
        afterDelivery(result, Vectors.PF, eip);
        stats.exit(ExitReason.EVENT);
        stats.trap(TrapKind.EXCEPTION, began);
        stats.vector(Vectors.PF);
    }

    /** hlt: Unicorn returns as for a stop, with EIP just past the {@code F4}. */
    private boolean justHalted() {
        mem.refresh();
        byte[] b = haltProbe;
        return mem.fetch(codeLinear(uc.reg(X86.EIP) - 1), b, 1) == 1 && b[0] == (byte) 0xF4;
    }

    private boolean realMode() { return (uc.reg(X86.CR0) & X86.CR0_PE) == 0; }

    /** The linear address of code at {@code eip}: CS's base is added in real mode (flat protected-mode code has none). */
    private int codeLinear(int eip) {
        return realMode() ? (uc.selector(X86.CS) << 4) + (eip & 0xFFFF) : eip;
    }

    private final byte[] haltProbe = new byte[1];

    // ---------------------------------------------------------------- hooks (the trap path)

    @Override
    public int in(int port, int size) {
        if (para != null && port == HYPERCALL_PORT) return hypercall();
        long began = stats.begin();
        int v = ports.read(port, size);
        lookForOpenWindow();
        stats.trap(TrapKind.PORT_IN, began);
        return v;
    }

    @Override
    public void out(int port, int size, int value) {
        long began = stats.begin();
        if (ports.write(port, size, value)) lookForDeadline();
        lookForInterrupt();
        stats.trap(TrapKind.PORT_OUT, began);
    }

    /** The para-virtual hypercall port: the hypercall page's entry instruction reads it. */
    private static final int HYPERCALL_PORT = 0xE0;

    /**
     * A hypercall: the para interface does the work; the vCPU then acts on what it asks (paging changed: the VMM's own
     * translations go; block: wait like hlt), re-arms its host timer if the call set a timer, and stops the engine
     * if an event can now be delivered, so the upcall comes before the next guest instruction.
     */
    private int hypercall() {
        long began = stats.begin();
        int result = para.hypercall(uc.selector(X86.CS) & 3);
        int effects = para.effects();
        if ((effects & ParaGuest.EFFECT_PAGING) != 0) mem.refresh();
        if ((effects & ParaGuest.EFFECT_BLOCK) != 0) {
            haltEmulated = true;
            uc.stop();
        } else if (para.upcallState() == ParaGuest.READY) {
            eventRequested = true;
            uc.stop();
        }
        if ((effects & ParaGuest.EFFECT_TIMER) != 0) lookForDeadline();   // only a new timer can be due sooner
        stats.trap(TrapKind.HYPERCALL, began);
        return result;
    }

    /**
     * After a write to a device that keeps time: it may now be due sooner than the deadline this run was given (a
     * timer started inside a busy-wait; Linux's check that IRQ 0 arrives spins without exiting, and saw no tick at
     * all until this), so the host timer is re-armed for it.
     */
    private void lookForDeadline() {
        long next = Timed.NEVER;
        for (Timed t : timed) if (t.wakesGuest()) next = Math.min(next, t.nextDeadline());
        if (next < publishedDeadline) {
            publishedDeadline = next;
            preemptor.setDeadline(next);
        }
    }

    /**
     * After a device write: it can make an IRQ pending (an EOI lets the next one through, a UART enables its THR
     * interrupt), so the run loop must look now, not at the next timer tick. One that was pending already is the
     * loop's to poll. (A device that stops the machine stops the engine itself, through requestStop.)
     */
    private void lookForInterrupt() {
        if (!irqPending && pic.hasPendingInterrupt()) {
            irqPending = true;
            eventRequested = true;
            uc.stop();
        } else {
            lookForOpenWindow();
        }
    }

    /**
     * After a port or device-memory access while an interrupt waits for IF: if the guest has set IF since (in emulate
     * mode sti, popf and iret do not trap; in full mode an sti, whose shadow must pass first, does not end the run),
     * the run ends now so the loop delivers it, as the CPU would have just after the sti. Otherwise it waited for the
     * loop's next IF poll, a host timer: a late one let the apic guest close its 2 ms window (sti, poll the PIT, cli)
     * with a timer expiry still in IRR, which its next check then counted as the one-shot's interrupt (two seen for
     * one; InterruptWindowTest). One register read per access, and only while an interrupt waits.
     */
    private void lookForOpenWindow() {
        if (irqPending && !eventRequested && (uc.reg(X86.EFLAGS) & X86.FLAG_IF) != 0 && pic.hasPendingInterrupt()) {
            eventRequested = true;
            uc.stop();
        }
    }

    @Override
    public void interrupt(int vector) {
        if (stop.get() != null) {   // stopping: let the engine unwind without delivering anything more
            uc.stop();
            return;
        }
        long began = stats.begin();
        if (full != null && vector == Vectors.BP && rewrittenTrap(began)) return;
        int errorCode = uc.context().takeException();
        boolean software = uc.context().lastWasSoftwareInterrupt();
        int eip = uc.reg(X86.EIP);
        if (full != null && vector == Vectors.DB && !software && full.steppedPadding(eip)) return;   // see stepTrap
        int result = delivery.deliver(vector, software ? InterruptDelivery.SOFTWARE : InterruptDelivery.EXCEPTION,
                errorCode, eip);
        if (result == InterruptDelivery.INTO_MISSING_BIOS) {
            intoMissingBios(vector, software, eip, began);
            return;
        }
        if (TRACE) trace("trap  vector=%d err=%x soft=%b eip=%08x -> %08x result=%d", vector, errorCode, software, eip, uc.reg(X86.EIP), result);
        afterDelivery(result, vector, eip);
        stats.trap(software ? TrapKind.SOFTWARE_INTERRUPT : TrapKind.EXCEPTION, began);
        stats.vector(vector);
    }


    /**
     * Real mode: an event whose IVT entry still points at {@link BiosStub} would enter the BIOS, which Popek does not
     * provide. A software interrupt there (a BIOS service call: int 10h, 13h, 15h...) is counted and answered as a
     * BIOS answers a function it lacks, CF set and AH = 86h, and the guest goes on after the int; an exception there
     * would return to the faulting instruction for ever, so it stops the machine with the reason.
     */
    private void intoMissingBios(int vector, boolean software, int eip, long began) {
        if (!software) {
            requestStop(new StopReason(StopReason.UNSUPPORTED, String.format(
                    "the guest raised %s in real mode, and its IVT still sends it to the BIOS, which Popek does not provide (at %s)",
                    Vectors.name(vector), describe(eip))));
            return;
        }
        int eax = uc.reg(X86.EAX);
        stats.biosCall(vector, (eax >>> 8) & 0xFF);
        uc.setReg(X86.EAX, (eax & 0xFFFF00FF) | BiosStub.AH_UNSUPPORTED << 8);
        uc.setReg(X86.EFLAGS, uc.reg(X86.EFLAGS) | X86.FLAG_CF);
        stats.trap(TrapKind.BIOS_CALL, began);
    }

    /**
     * Full mode: an int3 (vector 3 is raised only by int3 and int 3, so QEMU's old_exception is untouched and needs no
     * reset). If it is a rewritten instruction, emulates it and returns true; else it is the guest's own breakpoint.
     */
    private boolean rewrittenTrap(long began) {
        int trappedAt = uc.reg(X86.EIP);
        // Once per site until an interrupt is delivered: should the loop not deliver it after all, the guest runs on.
        int result = full.trap(trappedAt, pic.hasPendingInterrupt() && trappedAt != interruptFirstAt ? shadowEnd
                : FullVirtualization.NO_INTERRUPT_WAITING);
        if (result == FullVirtualization.NOT_A_SITE) return false;
        if (result == FullVirtualization.INTERRUPT_FIRST) {   // EIP is back on the instruction: the loop delivers
            interruptFirstAt = trappedAt;
            eventRequested = true;
            uc.stop();
            return true;
        }
        switch (result) {
            case SensitiveEmulator.HALT -> {
                haltEmulated = true;
                uc.stop();
            }
            case SensitiveEmulator.SHADOW -> shadowEip = shadowEnd = full.lastNext();
            case SensitiveEmulator.INTERRUPT_WINDOW -> {
                if (pic.hasPendingInterrupt()) {   // IF is now set: deliver it before the next instruction
                    eventRequested = true;
                    uc.stop();
                }
            }
            case FullVirtualization.NO_MEMORY -> noMemory(full.noMemory());
            case FullVirtualization.FAULTED -> {
                GuestFault f = full.fault();
                int eip = uc.reg(X86.EIP);
                if (f.vector < 0) {
                    requestStop(new StopReason(StopReason.UNSUPPORTED, String.format(
                            "the guest used %s, which Popek does not emulate (at %s)", full.unsupported(), describe(eip))));
                } else {
                    if (TRACE) trace("fault vector=%d err=%x in emulated %s at eip=%08x", f.vector, f.errorCode, full.lastClass().label(), eip);
                    deliverFault(f, eip);
                }
            }
            default -> { }
        }
        if (full.stepTrap() && stop.get() == null) {   // TF was set: the single-step #DB after the instruction
            uc.setReg(X86.DR6, uc.reg(X86.DR6) | X86.DR6_BS);
            deliverFault(fault.raise(Vectors.DB, 0), uc.reg(X86.EIP));
        }
        if (TRACE) trace("trap  %s (int3 at %08x) -> eip=%08x", full.lastClass().label(), trappedAt - 1, uc.reg(X86.EIP));
        stats.sensitive(full.lastClass().ordinal(), began);
        return true;
    }

    /** Delivers the fault an instruction Popek executed raised, with EIP on that instruction. */
    private void deliverFault(GuestFault f, int eip) {
        int vector = f.vector;
        afterDelivery(delivery.deliver(vector, InterruptDelivery.EXCEPTION, f.errorCode, eip), vector, eip);
        stats.vector(vector);
    }

    private void afterDelivery(int result, int vector, int eip) {
        segments.invalidate();   // the event loaded CS and SS; user code may have loaded others before it
        if (result == InterruptDelivery.DELIVERED) return;
        if (result == InterruptDelivery.INTO_MISSING_BIOS) {   // a fault Popek raised, in real mode, with no handler
            intoMissingBios(vector, false, eip, 0);
        } else if (result == InterruptDelivery.NO_MEMORY) {
            noMemory(delivery.noMemory());
        } else if (result == InterruptDelivery.NO_TRAP_ENTRY) {
            requestStop(new StopReason(StopReason.UNSUPPORTED, String.format(
                    "the guest raised %s, and its trap table (HC_SET_TRAP_TABLE) has no entry for it (at %s)",
                    Vectors.name(delivery.missingVector()), describe(eip))));
        } else if (result == InterruptDelivery.TRIPLE_FAULT) {
            requestStop(new StopReason(StopReason.TRIPLE_FAULT, String.format(
                    "triple fault: delivering %s failed, then so did the double fault (at %s)", Vectors.name(vector), describe(eip))));
        } else {
            requestStop(new StopReason(StopReason.UNSUPPORTED, String.format(
                    "the guest used %s, which Popek does not emulate (delivering %s at %s)",
                    delivery.unsupportedReason(), Vectors.name(vector), describe(eip))));
        }
    }

    /**
     * sysenter: Unicorn 2.1.1 leaves it to this hook (its own helper only adds the instruction's length to EIP
     * afterwards, hence the - 2), so Popek executes it in both modes: ring 0 at SYSENTER_EIP, or #GP(0) if
     * SYSENTER_CS is null.
     */
    @Override
    public void sysenter() {
        long began = stats.begin();
        int eip = uc.reg(X86.EIP);
        try {
            fastCalls.sysenter();
        } catch (GuestFault f) {
            deliverFault(f, eip);
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
    private boolean cpuid() {
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

    @Override
    public boolean unmapped(int type, long address, int size, long value) {
        unmappedType = type;
        unmappedAddress = address;
        return false;
    }

    /**
     * Maps a device's registers at {@code base} (device memory: every guest access comes here). A store can make an
     * interrupt deliverable (an EOI, an unmasked redirection entry, a self-IPI), so, as for {@code out}, the run ends
     * for the loop to look. 8-byte accesses are split into two 4-byte ones, low first.
     */
    public void mapMmio(long base, int size, MmioDevice device) {
        uc.mapMmio(base, size, new Hooks.Mmio() {
            @Override
            public long read(long offset, int bytes) {
                long began = stats.begin();
                long v = bytes == 8
                        ? (device.read((int) offset, 4) & 0xFFFFFFFFL) | (long) device.read((int) offset + 4, 4) << 32
                        : device.read((int) offset, bytes) & 0xFFFFFFFFL;
                lookForOpenWindow();
                stats.trap(TrapKind.MMIO_READ, began);
                return v;
            }

            @Override
            public void write(long offset, int bytes, long value) {
                long began = stats.begin();
                if (bytes == 8) {
                    device.write((int) offset, 4, (int) value);
                    device.write((int) offset + 4, 4, (int) (value >>> 32));
                } else {
                    device.write((int) offset, bytes, (int) value);
                }
                if (device instanceof Timed) lookForDeadline();
                lookForInterrupt();
                stats.trap(TrapKind.MMIO_WRITE, began);
            }
        });
    }

    // ---------------------------------------------------------------- stopping

    private StopReason stopWith(StopReason reason) {
        stop.compareAndSet(null, reason);
        stats.exit(ExitReason.STOP);
        return stop.get();
    }

    /** Popek reached memory that does not exist for the guest: the stop the engine makes for the guest's own access. */
    private void noMemory(NoMemory m) {
        unmappedAddress = m.address;
        unmappedType = m.write ? X86.MEM_WRITE_UNMAPPED : X86.MEM_READ_UNMAPPED;
        requestStop(engineError(X86.ERR_READ_UNMAPPED));
    }

    private StopReason engineError(int err) {
        int eip = uc.reg(X86.EIP);
        return switch (err) {
            case X86.ERR_READ_UNMAPPED, X86.ERR_WRITE_UNMAPPED, X86.ERR_FETCH_UNMAPPED -> new StopReason(StopReason.UNMAPPED_MEMORY,
                    String.format("the guest %s physical address 0x%08x, where there is no memory (at %s)",
                            unmappedType == X86.MEM_WRITE_UNMAPPED ? "wrote to" : unmappedType == X86.MEM_FETCH_UNMAPPED
                                    ? "jumped to" : "read from", unmappedAddress, describe(eip)));
            default -> new StopReason(StopReason.INTERNAL_ERROR,
                    String.format("the CPU emulator stopped: %s (at %s)", Unicorn.strerror(err), describe(eip)));
        };
    }

    private Capstone disassembler, disassembler16;

    /** "0x00101234 (mov dword ptr [eax], 1)": where the guest was, with the instruction there when it can be read. */
    String describe(int eip) {
        mem.refresh();
        byte[] bytes = new byte[Capstone.MAX_INSTRUCTION];
        boolean real = realMode();
        int n = mem.fetch(codeLinear(eip), bytes, bytes.length);
        String where = real ? String.format("CS:IP %04x:%04x (real mode)", uc.selector(X86.CS), eip & 0xFFFF)
                : String.format("EIP 0x%08x", eip);
        if (n == 0) return where + ", where no code can be read";
        try {
            if (real && disassembler16 == null) disassembler16 = new Capstone(16);
            if (disassembler == null) disassembler = new Capstone(32);
            Capstone.Instruction insn = (real ? disassembler16 : disassembler).decode(bytes, n, eip & 0xFFFFFFFFL);
            return insn == null ? where + ": not a valid instruction" : where + ": " + insn.text();
        } catch (RuntimeException e) {
            return where;
        }
    }

    private static void trace(String format, Object... args) {
        System.err.printf("popek-trace: " + format + "%n", args);
    }

    private static String seconds(long nanos) {
        return nanos % 1_000_000_000L == 0 ? (nanos / 1_000_000_000L) + " s" : String.format("%.3f s", nanos / 1e9);
    }

    /** Closes what the vCPU opened (the disassembler); the engine belongs to the caller. */
    /** Full mode's shadow code pages (for tests and statistics), or null in emulate mode. */
    public ShadowCode shadowCode() { return full == null ? null : full.shadows(); }

    public void close() {
        if (disassembler != null) disassembler.close();
        if (disassembler16 != null) disassembler16.close();
        if (full != null) full.close();
    }
}
