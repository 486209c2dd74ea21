package popek.platform;

import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Instant;

import popek.cpu.StopReason;
import popek.cpu.CpuConfig;
import popek.cpu.CpuModel;
import popek.devices.A20Gate;
import popek.devices.AtaChannel;
import popek.devices.CgaText;
import popek.devices.IoApic;
import popek.devices.Kbc8042;
import popek.devices.LocalApic;
import popek.devices.SystemControlPortA;
import popek.devices.DiskImage;
import popek.cpu.ExecutionMode;
import popek.cpu.Vcpu;
import popek.cpu.VcpuBuilder;
import popek.cpu.VirtualClock;
import popek.devices.BenchMarker;
import popek.devices.CmosRtc;
import popek.devices.DebugExit;
import popek.devices.Pic8259;
import popek.devices.Pit8254;
import popek.devices.PortBus;
import popek.devices.PostCodePort;
import popek.devices.PowerOff;
import popek.devices.SystemControlPortB;
import popek.devices.Timed;
import popek.devices.Uart16550;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.para.BlockRing;
import popek.para.ConsoleRing;
import popek.para.EventSink;
import popek.para.Hypercalls;
import popek.para.PvNote;
import popek.para.PvRing;
import popek.para.SharedInfo;
import popek.platform.linux.LinuxLoader;
import popek.platform.multiboot.MultibootBoot;
import popek.platform.multiboot.MultibootLoader;
import popek.stats.RunStats;

/**
 * Assembles a PC and puts it in the state a boot loader leaves it in. {@link #build} reads top to bottom as the boot
 * path: RAM, the CPU, the kernel loaded into RAM, the devices on their ports and IRQ lines, the CPU state at entry.
 */
public final class MachineBuilder {
    private long memoryBytes = 64L << 20;
    private OutputStream serialOutput = OutputStream.nullOutputStream();
    private boolean serialImmediate;
    private long timeoutNanos;
    private VirtualClock clock;
    private boolean timedStats;
    private Path kernel;
    private String cmdline = "";
    private Instant wallClock;
    private boolean shadowPaging;
    private ExecutionMode mode = ExecutionMode.EMULATE;
    private boolean benchMarker;

    public MachineBuilder memory(long bytes) { this.memoryBytes = bytes; return this; }

    /** Where COM1's output goes (the terminal, or a test's buffer), handed over a line at a time. */
    public MachineBuilder serialOutput(OutputStream out) { return serialOutput(out, false); }

    /** As {@link #serialOutput(OutputStream)}; {@code immediate}: every byte as it comes (a terminal, where prompts must show). */
    public MachineBuilder serialOutput(OutputStream out, boolean immediate) {
        this.serialOutput = out;
        this.serialImmediate = immediate;
        return this;
    }

    /** Stop the guest after this much virtual time (0: never). */
    public MachineBuilder timeoutNanos(long nanos) { this.timeoutNanos = nanos; return this; }

    /**
     * The machine's virtual clock (default: {@link VirtualClock#host()}, real time). A clock serves one machine; the
     * timeout is in its time.
     */
    public MachineBuilder clock(VirtualClock c) { this.clock = c; return this; }

    /** Measure host time per trap (for --stats). Counting is always on. */
    public MachineBuilder stats(boolean timed) { this.timedStats = timed; return this; }

    /** The RTC's time of day at power-on (default: now). Tests fix it. */
    public MachineBuilder wallClock(Instant at) { this.wallClock = at; return this; }

    /** Walk the guest's page tables in Java on every TLB miss (the MMU that full virtualisation builds on). */
    public MachineBuilder shadowPaging(boolean on) { this.shadowPaging = on; return this; }

    /** Emulate (the default here; the CLI's default is full) or full virtualisation. */
    public MachineBuilder mode(ExecutionMode mode) { this.mode = mode; return this; }

    /** Full mode: shadow code pages to keep before starting again (0: the default). Small values test the restart. */
    public MachineBuilder codePoolPages(int pages) { this.codePoolPages = pages; return this; }

    private int codePoolPages;
    private boolean keyboardInput;

    /** Terminal input to the 8042 keyboard (scan code set 1, IRQ 1) instead of COM1. */
    public MachineBuilder keyboardInput(boolean on) { this.keyboardInput = on; return this; }

    private boolean autoInput;

    /** Terminal input to COM1, or to the 8042 keyboard once the screen is the guest's console (see {@link Machine#screenIsConsole}). */
    public MachineBuilder autoInput(boolean on) { this.autoInput = on; return this; }
    private final java.util.List<DiskSpec> diskSpecs = new java.util.ArrayList<>();

    private record DiskSpec(Path file, boolean readOnly) { }

    /** Applies {@code step} to this builder (for a list of options). */
    public MachineBuilder apply(java.util.function.Consumer<MachineBuilder> step) {
        step.accept(this);
        return this;
    }

    /** Attaches a raw disk image to the primary ATA channel: the first as master, the second as slave. */
    public MachineBuilder disk(Path file, boolean readOnly) {
        diskSpecs.add(new DiskSpec(file, readOnly));
        return this;
    }
    private CpuConfig cpuConfig = CpuConfig.DEFAULT;

    /** The TSC frequency and CPUID leaves the guest sees. */
    public MachineBuilder cpu(CpuConfig config) { this.cpuConfig = config; return this; }

    private popek.cpu.DebugHooks debugger;
    /** The engine's translated-code buffer under a debugger (MiB): small enough to clear in a few milliseconds. */
    private static final int DEBUG_CODE_BUFFER_MIB = 32;

    /** Attach a debugger to the vCPU (the GDB stub's session). */
    public MachineBuilder debugger(popek.cpu.DebugHooks hooks) { this.debugger = hooks; return this; }

    /** Put a {@link BenchMarker} on port 0x4E8, for benchmark guests (see {@link Machine#benchMarker}). */
    public MachineBuilder benchMarker(boolean on) { this.benchMarker = on; return this; }

    /** Boot this Multiboot kernel with this command line. */
    public MachineBuilder multiboot(Path kernel, String cmdline) {
        this.kernel = kernel;
        this.cmdline = cmdline;
        return this;
    }

    private Path linuxKernel, initrd;

    /** Boot this Linux bzImage by the 32-bit boot protocol, with an initrd (or null) and this command line. */
    public MachineBuilder linux(Path bzImage, Path initrd, String cmdline) {
        this.linuxKernel = bzImage;
        this.initrd = initrd;
        this.cmdline = cmdline;
        return this;
    }

    private java.util.function.Consumer<GuestMemory> rawLoad;
    private java.util.function.ToIntFunction<Unicorn> rawEntry;

    /**
     * Boots no image: {@code load} fills guest RAM, and {@code entry} sets the CPU's whole entry state once the vCPU
     * exists (so a segment load can read its descriptor through the shadow MMU) and returns the entry EIP. For the
     * differential tester, which starts each case from a state it chose.
     */
    public MachineBuilder raw(java.util.function.Consumer<GuestMemory> load, java.util.function.ToIntFunction<Unicorn> entry) {
        this.rawLoad = load;
        this.rawEntry = entry;
        return this;
    }

    public Machine build() throws BootImageException {
        if (kernel == null && linuxKernel == null && diskSpecs.isEmpty() && rawLoad == null) throw new IllegalStateException("no kernel or disk to boot");
        if (diskSpecs.size() > 2) throw new BootImageException("at most two disks: the primary ATA channel's master and slave");
        GuestMemory ram = new GuestMemory(memoryBytes);
        Unicorn cpu = null;
        java.util.List<DiskImage> disks = new java.util.ArrayList<>();
        try {
            for (DiskSpec d : diskSpecs) {
                InputFile.checkRegular(d.file(), "disk image");
                try {
                    disks.add(DiskImage.open(d.file(), d.readOnly()));
                } catch (java.io.IOException e) {
                    throw new BootImageException(e.getMessage());
                }
            }
            // The kernel goes into RAM first: a malformed image is the commonest mistake and costs nothing to find.
            byte[] kernelImage = kernel != null ? MultibootLoader.read(kernel, ram.size()) : null;
            MultibootBoot boot = kernel != null ? MultibootLoader.load(ram, kernel, kernelImage, cmdline) : null;
            LinuxLoader.LinuxBoot linux = linuxKernel != null ? LinuxLoader.load(ram, linuxKernel, initrd, cmdline) : null;
            if (rawLoad != null) rawLoad.accept(ram);
            boolean diskBoot = boot == null && linux == null && rawLoad == null;
            PvNote note = rawLoad != null ? null
                    : paraNote(boot != null ? kernel : linux != null ? linuxKernel : diskSpecs.get(0).file(), kernelImage);
            if (diskBoot) DiskBoot.prepare(ram, disks.get(0), diskSpecs.get(0).file());
            BiosDataArea.write(ram);
            MpTable.write(ram);

            // A debugger flushes the engine's translated code whenever its breakpoints change (see Unicorn's constructor).
            cpu = new Unicorn(X86.MODE_32, debugger != null ? DEBUG_CODE_BUFFER_MIB : 0);
            CpuConfig cpuShown = new CpuConfig(cpuConfig.tscHz(), CpuModel.leaves(cpu).then(cpuConfig.cpuid()));
            cpu.mapRam(0, ram.segment());

            VirtualClock clock = this.clock != null ? this.clock : VirtualClock.host();
            RunStats stats = new RunStats(timedStats);
            PortBus ports = new PortBus();
            StopHandle stopHandle = new StopHandle();

            Pic8259 pic = new Pic8259();
            pic.register(ports);
            // A BIOS hands a booted disk 8259s programmed for real mode (IRQ 0-7 at vectors 08h-0Fh, 8-15 at 70h-77h),
            // everything masked here since no BIOS handler stands behind those vectors.
            if (diskBoot) pic.initialise(0x08, 0x70);
            // The local APIC takes the IOAPIC's messages and passes the 8259s' INTR through on LINT0 (virtual wire
            // mode, as a BIOS leaves it): the vCPU asks it, not the 8259s, for interrupts.
            LocalApic lapic = new LocalApic(clock, pic);
            IoApic ioapic = new IoApic(lapic, MpTable.IOAPIC_ID);
            lapic.onLevelEoi(ioapic::endOfInterrupt);
            IsaIrqs irqs = new IsaIrqs(pic, ioapic);
            Pit8254 pit = new Pit8254(clock, irqs.line(0));
            pit.register(ports);
            new SystemControlPortB(pit).register(ports);
            SerialConsole console = new SerialConsole(serialOutput, serialImmediate);
            Uart16550 com1 = new Uart16550(console, irqs.line(Uart16550.COM1_IRQ), clock);
            console.attach(com1);
            com1.register(ports, Uart16550.COM1);
            CmosRtc rtc = new CmosRtc(clock, wallClock != null ? wallClock : Instant.now(), memoryBytes, irqs.line(8));
            rtc.register(ports);
            new DebugExit(stopHandle).register(ports);
            new PowerOff(stopHandle).register(ports);
            new PostCodePort().register(ports);
            A20Gate a20 = new A20Gate();
            Kbc8042 kbc = new Kbc8042(irqs.line(Kbc8042.IRQ), a20, stopHandle);
            kbc.register(ports);
            if (keyboardInput) console.typeInto(kbc);
            new SystemControlPortA(a20, stopHandle).register(ports);
            CgaText screen = new CgaText(ram);
            screen.register(ports);
            AtaChannel ata = new AtaChannel(irqs.line(AtaChannel.IRQ));
            for (int i = 0; i < disks.size(); i++) ata.attach(i, disks.get(i));
            ata.register(ports);
            BenchMarker marker = null;
            if (benchMarker) {
                marker = new BenchMarker(clock, stats::totalTraps, stats::totalExits);
                marker.register(ports);
            }

            Hypercalls para = null;
            if (note != null) {
                // The para-virtual interface: the pages the guest's note names, filled before its first instruction.
                SharedInfo info = new SharedInfo(ram, note.sharedInfoPage());
                info.initialise(memoryBytes, disks.isEmpty() ? 0 : disks.get(0).sectors(), cpuConfig.tscHz() / 1000);
                Hypercalls.fillPage(ram, note.hypercallPage());
                para = new Hypercalls(cpu, ram, info, clock, stats, console, stopHandle,
                        consoleRing(ram, info, console), blockRing(ram, info, disks.isEmpty() ? null : disks.get(0)));
                para.register(ports);
            }
            Timed[] timedDevices = para == null ? new Timed[] {pit, com1, rtc, console, lapic}
                    : new Timed[] {pit, com1, rtc, console, lapic, para.timer()};
            // The vCPU takes its interrupts from the local APIC; its mode's exit handler is chosen here, once.
            Vcpu vcpu = new VcpuBuilder(cpu, ram, clock, stats)
                    .devices(ports, lapic, timedDevices)
                    .mmio(LocalApic.BASE, LocalApic.SIZE, lapic)
                    .mmio(IoApic.BASE, IoApic.SIZE, ioapic)
                    .mode(mode).para(para).cpu(cpuShown)
                    .timeoutNanos(timeoutNanos).shadowPaging(shadowPaging).codePoolPages(codePoolPages)
                    .debug(debugger)
                    .build();
            stopHandle.vcpu = vcpu;

            // The state the boot path hands the kernel's first instruction, written the same way in every mode (a raw
            // machine's, built by the differential tester, by its own hook).
            long entry;
            if (rawEntry != null) {
                entry = rawEntry.applyAsInt(cpu) & 0xFFFFFFFFL;
            } else {
                EntryState state = boot != null ? EntryState.multiboot(boot) : diskBoot ? EntryState.bootSector() : EntryState.linux(linux);
                state.apply(cpu);
                entry = state.eip();
            }
            Machine machine = new Machine(ram, cpu, vcpu, console, stats, ports, marker, (int) entry, ata, disks, screen);
            if (autoInput && !keyboardInput) console.typeIntoWhen(kbc, machine::screenIsConsole);
            return machine;
        } catch (BootImageException | RuntimeException | Error e) {
            for (DiskImage d : disks) {
                try {
                    d.close();
                } catch (java.io.IOException ignored) {
                    // nothing was written yet
                }
            }
            if (cpu != null) cpu.close();
            ram.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- the para-virtual interface

    /**
     * The image's PV note, checked against the mode: a para guest runs only in para mode, and para mode runs only a
     * para guest (a Linux kernel or a boot disk is never one). Null when the mode is not para.
     */
    private PvNote paraNote(Path image, byte[] multibootImage) throws BootImageException {
        PvNote note = multibootImage != null ? PvNote.find(multibootImage) : null;
        if (note != null && mode != ExecutionMode.PARA) {
            throw new BootImageException(image + " is a para-virtualised guest (it carries Popek's PV note): run it with --mode para");
        }
        if (mode != ExecutionMode.PARA) return null;
        if (note == null) {
            throw new BootImageException(image + " is not para-virtualised (no Popek PV note): para mode needs a guest built for it "
                    + "(see README, The para-virtual interface)");
        }
        String problem = note.problem(memoryBytes);
        if (problem != null) throw new BootImageException(image + ": " + problem);
        return note;
    }

    /**
     * The para-virtual console: the guest's bytes go where COM1's go, and typed bytes come to the ring instead of
     * the UART (a para guest reads no UART).
     */
    private static PvRing consoleRing(GuestMemory ram, EventSink events, SerialConsole console) {
        ConsoleRing ring = new ConsoleRing(ram, events, console::write);
        console.typeInto(ring::receive);
        return ring;
    }

    /** The para-virtual block device, over the first disk's image (the same file the ATA disk would use). */
    private static PvRing blockRing(GuestMemory ram, EventSink events, DiskImage disk) {
        return disk == null ? null : new BlockRing(ram, events, disk);
    }

    /** Devices stop the machine through this; the vCPU is made after them. */
    private static final class StopHandle implements popek.devices.MachineControl {
        Vcpu vcpu;

        @Override
        public void exit(int exitCode, String reason) { vcpu.requestStop(StopReason.guestExit(exitCode, reason)); }
    }
}
