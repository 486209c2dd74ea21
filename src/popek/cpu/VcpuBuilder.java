package popek.cpu;

import java.util.ArrayList;
import java.util.List;

import popek.devices.InterruptController;
import popek.devices.MmioDevice;
import popek.devices.PortBus;
import popek.devices.Timed;
import popek.engine.Unicorn;
import popek.memory.GuestMemory;
import popek.stats.RunStats;

/**
 * Assembles a {@link Vcpu}: the engine and RAM it runs on, the devices it reaches, the mode, and what the user
 * chose. The mode's exit handler is chosen here, once. Each setter returns the builder; {@link #build} installs the
 * engine's hooks and may be called once.
 */
public final class VcpuBuilder {
    private final Unicorn uc;
    private final GuestMemory ram;
    private final VirtualClock clock;
    private final RunStats stats;
    private PortBus ports = new PortBus();
    private InterruptController pic;
    private Timed[] timed = new Timed[0];
    private final List<Mmio> mmio = new ArrayList<>();
    private ExecutionMode mode = ExecutionMode.EMULATE;
    private ParaGuest para;
    private long timeoutNanos;
    private boolean shadowPaging;
    private int codePoolPages;
    private CpuConfig cpu = CpuConfig.DEFAULT;
    private DebugHooks debug;

    private record Mmio(long base, int size, MmioDevice device) { }

    public VcpuBuilder(Unicorn uc, GuestMemory ram, VirtualClock clock, RunStats stats) {
        this.uc = uc;
        this.ram = ram;
        this.clock = clock;
        this.stats = stats;
    }

    /** The port bus, the controller the CPU takes external interrupts from, and the devices that keep time. */
    public VcpuBuilder devices(PortBus ports, InterruptController pic, Timed... timed) {
        this.ports = ports;
        this.pic = pic;
        this.timed = timed.clone();
        return this;
    }

    /** Maps a device's registers at {@code base} as device memory (every guest access traps to it). */
    public VcpuBuilder mmio(long base, int size, MmioDevice device) {
        mmio.add(new Mmio(base, size, device));
        return this;
    }

    /** How guest kernel code meets the CPU (default emulate). Para mode needs {@link #para}. */
    public VcpuBuilder mode(ExecutionMode mode) {
        this.mode = mode;
        return this;
    }

    /**
     * Para mode's guest interface: hypercalls on the hypercall port go to {@code p}, events reach the guest by its
     * upcall instead of the interrupt controller, and its trap table (once set) replaces the IDT.
     */
    public VcpuBuilder para(ParaGuest p) {
        this.para = p;
        return this;
    }

    /** Stops the guest with a timeout after this much virtual time (0: never). */
    public VcpuBuilder timeoutNanos(long nanos) {
        this.timeoutNanos = nanos;
        return this;
    }

    /** Walks the guest's page tables in Java on every TLB miss ({@link ShadowMmu}) in emulate mode too (full mode always does). */
    public VcpuBuilder shadowPaging(boolean on) {
        this.shadowPaging = on;
        return this;
    }

    /** How many shadow code pages full mode keeps before it starts again (0: the default, 4096). */
    public VcpuBuilder codePoolPages(int pages) {
        this.codePoolPages = pages;
        return this;
    }

    /** The TSC rate and CPUID leaves the user chose. */
    public VcpuBuilder cpu(CpuConfig cpu) {
        this.cpu = cpu;
        return this;
    }

    /**
     * Attaches a debugger ({@link DebugHooks}). In emulate mode it also installs the shadow MMU, left off (Unicorn
     * walks the page tables) until the debugger sets a breakpoint or watchpoint: then it sees every translation.
     */
    public VcpuBuilder debug(DebugHooks hooks) {
        this.debug = hooks;
        return this;
    }

    public Vcpu build() {
        if (pic == null) throw new IllegalStateException("no interrupt controller: call devices()");
        if ((mode == ExecutionMode.PARA) != (para != null)) {
            throw new IllegalStateException("para mode, and only para mode, needs the para-virtual guest interface");
        }
        GuestFault fault = new GuestFault();
        GuestAccess mem = new GuestAccess(uc, ram, fault);
        SegmentCache segments = new SegmentCache(uc);
        InterruptDelivery delivery = new InterruptDelivery(uc, mem, fault, segments);
        delivery.para(para);
        ExitRequests requests = new ExitRequests(uc);
        TimedDevices timers = new TimedDevices(timed);
        HypercallPort hypercalls = para != null ? new HypercallPort(uc, para, mem, timers, requests, stats) : null;
        DeviceAccess devices = new DeviceAccess(uc, ports, pic, timers, requests, stats, hypercalls);
        StopTexts texts = new StopTexts(uc, mem, requests);
        ExitContext context = new ExitContext(uc, ram, mem, fault, segments, delivery, pic, devices, requests, texts,
                stats, cpu, new VirtualTsc(clock, cpu.tscHz()));

        uc.onPortIo(devices);
        ModeExits exits = switch (mode) {
            case EMULATE -> new EmulateExits(context, shadowPaging || debug != null);
            case FULL -> new FullExits(context, codePoolPages);
            case PARA -> new ParaExits(context, codePoolPages, para);
        };
        uc.onInterrupt(exits);
        uc.onInvalidInstruction(exits);
        uc.onUnmappedAccess(texts);
        uc.onSysenter(exits);
        uc.onSyscall(exits);
        uc.onCpuid(exits);
        if (exits.mmu() != null) uc.onTlbFill(exits.mmu());
        boolean mmuAlwaysOn = mode != ExecutionMode.EMULATE || shadowPaging;
        if (!mmuAlwaysOn) uc.useVirtualTlb(false);   // installed for the debugger, used once it needs it
        for (Mmio m : mmio) devices.mapMmio(m.base(), m.size(), m.device());
        exits.debug(debug);
        Vcpu vcpu = new Vcpu(uc, clock, stats, timeoutNanos, timers, requests, exits, texts, debug);
        if (debug != null) {
            DebugPort port = new DebugPort(uc, ram, clock, stats, mode, exits.mmu(), mmuAlwaysOn, requests, exits);
            port.hooks(debug);
            debug.attach(port);
        }
        return vcpu;
    }
}
