package popek.platform;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import popek.cgroup.Cgroup;
import popek.cpu.ScheduledVcpu;
import popek.cpu.StopReason;
import popek.cpu.Vcpu;
import popek.devices.BenchMarker;
import popek.devices.PortBus;
import popek.engine.Unicorn;
import popek.memory.GuestMemory;
import popek.sched.Entity;
import popek.sched.HostScheduler;
import popek.stats.RunStats;

/** One assembled PC: RAM, one vCPU, its devices. Made by {@link MachineBuilder}; run once. */
public final class Machine implements AutoCloseable {
    private final GuestMemory ram;
    private final Unicorn engine;
    private final Vcpu vcpu;
    private final SerialConsole console;
    private final RunStats stats;
    private final int entryEip;
    private final PortBus ports;
    private final CountDownLatch finished = new CountDownLatch(1);

    private final BenchMarker benchMarker;

    private final java.util.List<popek.devices.DiskImage> disks;
    private final popek.devices.AtaChannel ata;

    Machine(GuestMemory ram, Unicorn engine, Vcpu vcpu, SerialConsole console, RunStats stats, PortBus ports,
            BenchMarker benchMarker, int entryEip, popek.devices.AtaChannel ata, java.util.List<popek.devices.DiskImage> disks,
            popek.devices.CgaText screen) {
        this.screen = screen;
        this.ata = ata;
        this.disks = disks;
        this.ports = ports;
        this.benchMarker = benchMarker;
        this.ram = ram;
        this.engine = engine;
        this.vcpu = vcpu;
        this.console = console;
        this.stats = stats;
        this.entryEip = entryEip;
    }

    /** The cgroup the VM is accounted in (cpu settings for the scheduler, its RAM in memory.current), or null. */
    private volatile Cgroup cgroup;

    /** Puts the VM in {@code cg} (whoever starts it decides; before it runs). */
    public void setCgroup(Cgroup cg) { cgroup = cg; }

    /** The VM's cgroup, or null when it has none. */
    public Cgroup cgroup() { return cgroup; }

    /**
     * Runs the guest on the calling thread until it stops; returns why. The thread is the one worker of a host
     * scheduler of the machine's own, over its cgroup's hierarchy (one of its own when it has none), so its cpu.max
     * applies (a machine with a debugger attached keeps the thread to itself: the debugger holds the guest inside the
     * run loop).
     */
    public StopReason run() {
        Cgroup cg = cgroup;
        return run(cg != null ? cg : Cgroup.newRoot().create("vm"));
    }

    /** As {@link #run()}, the vCPU charged to {@code cgroup}. */
    public StopReason run(Cgroup cgroup) {
        try {
            if (vcpu.debugged()) return vcpu.run(entryEip);
            Cgroup root = cgroup;
            while (root.parent() != null) root = root.parent();
            ScheduledVcpu sv = new ScheduledVcpu(vcpu, entryEip);
            try (HostScheduler own = new HostScheduler(0, root)) {
                sv.start(own, new Entity(sv, "vcpu", cgroup));
                own.runHere(sv::finished);
            }
            return sv.await();
        } finally {
            console.flush();
            finished.countDown();
        }
    }

    /** Runs the guest's vCPU on {@code host}'s workers, charged to {@code cgroup}, until it stops; returns why. */
    public StopReason run(HostScheduler host, Cgroup cgroup) {
        try {
            ScheduledVcpu sv = new ScheduledVcpu(vcpu, entryEip);
            sv.start(host, new Entity(sv, "vcpu", cgroup));
            return sv.await();
        } finally {
            console.flush();
            finished.countDown();
        }
    }

    /** Stops a running machine (Ctrl-C, a test's deadline) and waits briefly for the run to wind down. Any thread. */
    public void stop(StopReason reason) {
        vcpu.requestStop(reason);
        try {
            finished.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Asks the machine to stop with this reason and returns at once (safe on the vCPU thread, e.g. from a sink). */
    public void requestStop(StopReason reason) { vcpu.requestStop(reason); }

    /** Where the vCPU's run loop is (running, halted, stopping...). Any thread. */
    public popek.cpu.RunState runState() { return vcpu.state(); }

    /** Full mode's shadow code pages (what was scanned and rewritten), or null in emulate mode. */
    public popek.translate.ShadowCode shadowCode() { return vcpu.shadowCode(); }

    /** A byte typed at the terminal, for the guest's COM1. Any thread. */
    public void input(int b) {
        console.type(b);
        vcpu.wake();
    }

    public RunStats stats() { return stats; }

    /** The CPU engine, for reading the final architectural state after {@link #run} (the differential tester). */
    public Unicorn engine() { return engine; }

    /** Guest RAM, for comparing it after {@link #run} (the differential tester). */
    public GuestMemory ram() { return ram; }

    /** The benchmark marks the guest made, or null when the machine was built without a marker port. */
    public BenchMarker benchMarker() { return benchMarker; }

    /** The port bus, for what --stats reports of ports no device claims. */
    public PortBus ports() { return ports; }

    private final popek.devices.CgaText screen;

    /** The CGA text screen (what the guest shows there). */
    public popek.devices.CgaText screen() { return screen; }

    /**
     * Is the CGA screen this guest's console? Yes once the guest has put text on it and has sent nothing to COM1
     * (a kernel with a serial console says so by writing there first). Any thread: reads guest RAM without a lock,
     * which at worst sees a character being drawn.
     */
    public boolean screenIsConsole() { return !console.used() && !screen.text().isBlank(); }

    /** The primary ATA channel (its counters). */
    public popek.devices.AtaChannel ata() { return ata; }

    /**
     * Stops using the machine: every disk is flushed and closed first (what the guest wrote is on the storage device
     * before anything else can fail), then the vCPU, the engine and RAM are released.
     */
    @Override
    public void close() {
        java.io.IOException failed = null;
        for (popek.devices.DiskImage d : disks) {
            try {
                d.close();
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                if (failed == null) failed = e instanceof java.io.IOException io ? io : ((java.io.UncheckedIOException) e).getCause();
            }
        }
        vcpu.close();
        engine.close();
        ram.close();
        if (failed != null) throw new java.io.UncheckedIOException("could not write a disk image back: " + failed.getMessage(), failed);
    }
}
