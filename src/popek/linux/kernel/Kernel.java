package popek.linux.kernel;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.util.function.Consumer;

import popek.cgroup.Cgroup;
import popek.engine.CpuSnapshot;
import popek.engine.Unicorn;
import popek.linux.abi.Signals;
import popek.linux.auth.Credentials;
import popek.linux.mm.FaultCounters;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.PageCache;
import popek.linux.mm.PagePool;
import popek.linux.mm.UserMemory;
import popek.linux.platform.Cpu;
import popek.linux.platform.KernelRegion;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.Location;
import popek.linux.ns.CgroupNamespace;
import popek.linux.ns.IpcNamespace;
import popek.linux.ns.NetNamespace;
import popek.linux.ns.TimeNamespace;
import popek.linux.ns.UtsNamespace;
import popek.linux.vfs.Vfs;
import popek.sched.HostScheduler;

/**
 * Popek's Linux kernel for one container: the page pool and the CPU the container's tasks run on, its root pid
 * namespace and first namespaces of the other kinds (which programs may nest and enter: {@link NamespaceChanges}),
 * scheduler and clock, the system-call table, the file tree, and the counters {@code --stats} reports. It
 * knows nothing of images or the command line: the container runtime builds it, spawns the first process and runs it
 * until that process ends. Its processes start in the container's cgroup ({@link #cgroup}), which pays for their
 * pages and counts their tasks.
 */
public final class Kernel implements AutoCloseable {
    /** AT_HWCAP: the CPUID.1 EDX features of Unicorn's default i386 CPU model (FPU, TSC, CX8, CMOV, MMX, FXSR, SSE, SSE2, ...). */
    static final int HWCAP = 0x0781ABFD;

    private final PagePool pool;
    private final KernelRegion region;
    private final PageCache pageCache;
    private final FaultCounters faultCounters = new FaultCounters();
    private final PidNamespace pids = PidNamespace.root();
    private final Clock clock = new Clock();
    private final Scheduler scheduler;
    private final SyscallTable syscalls;
    private final Vfs vfs;
    private final KernelStats stats = new KernelStats();
    private final SignalDelivery signals = new SignalDelivery(this);
    private final Processes processes = new Processes(this);
    private final Faults faults = new Faults(this);
    private final Futexes futexes = new Futexes();
    private final Exec exec = new Exec(this);
    private final IntervalTimers timers = new IntervalTimers(this);
    /** The cgroup its processes start in and its tasks are charged to (the container's), set before any task exists. */
    private final Cgroup cgroup;
    private final CgroupMembership cgroups = new CgroupMembership(this);
    private final OomKiller oomKiller = new OomKiller(this);
    private final SignalTrampoline trampoline;
    private final Arena arena = Arena.ofShared();
    private final CpuSnapshot initialState;
    private final Worker worker;
    private final PrintStream log;
    private final UtsNamespace uts = UtsNamespace.initial("popek");
    private final Namespaces initialNamespaces;
    private ThreadGroup init;
    private volatile boolean initDone;

    /** A kernel with {@code memoryBytes} of page pool, serving {@code table}'s calls over {@code vfs}; diagnostics to {@code log}. */
    public Kernel(long memoryBytes, SyscallTable table, Vfs vfs, PrintStream log) {
        this(memoryBytes, table, vfs, log, Cgroup.newRoot());
    }

    /** The same, its processes in {@code cgroup} (the container's node in the host's hierarchy, with its limits). */
    public Kernel(long memoryBytes, SyscallTable table, Vfs vfs, PrintStream log, Cgroup cgroup) {
        this.cgroup = cgroup;
        this.scheduler = new Scheduler(this, clock);
        this.syscalls = table;
        this.vfs = vfs;
        this.log = log;
        this.pool = new PagePool(memoryBytes);
        TimeNamespace time = TimeNamespace.initial();
        this.initialNamespaces = new Namespaces(uts, IpcNamespace.initial(), ((Location) vfs.root()).mount().namespace(),
                NetNamespace.initial(), CgroupNamespace.initial(), pids, time, time);
        pool.setPressure(oomKiller);
        try {
            this.region = new KernelRegion(pool);
            this.trampoline = new SignalTrampoline(pool);
            this.pageCache = new PageCache(pool, (int) Math.min(pool.totalFrames() / 4, 65536));
            MemoryManager boot = newMemoryManager(null);
            Cpu cpu = new Cpu(0, pool, region, boot.cr3(), null);
            this.worker = new Worker(this, cpu);
            cpu.setTraps(worker);
            this.initialState = Unicorn.newSnapshot(arena);
            cpu.save(initialState);
        } catch (RuntimeException | Error e) {
            pool.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- parts

    public PagePool pool() { return pool; }

    /** The cgroup its processes start in (the container's: the root of its /sys/fs/cgroup). */
    public Cgroup cgroup() { return cgroup; }

    /** Which cgroup each process is in, and the kernel side of the cgroup files. */
    public CgroupMembership cgroups() { return cgroups; }

    OomKiller oomKiller() { return oomKiller; }

    public PageCache pageCache() { return pageCache; }

    public FaultCounters faultCounters() { return faultCounters; }

    public PidNamespace pids() { return pids; }

    public Scheduler scheduler() { return scheduler; }

    Worker worker() { return worker; }

    Cpu cpu() { return worker.cpu(); }

    public Clock clock() { return clock; }

    public SyscallTable syscalls() { return syscalls; }

    public Vfs vfs() { return vfs; }

    public KernelStats stats() { return stats; }

    public SignalDelivery signals() { return signals; }

    public Processes processes() { return processes; }

    public Futexes futexes() { return futexes; }

    public IntervalTimers timers() { return timers; }

    Faults faults() { return faults; }

    /** execve for the running task {@code t}: -errno, or {@link Syscall#NO_RESULT} with the new program loaded. */
    public int execve(Task t, String path, byte[][] argv, byte[][] envp) { return exec.execve(t, path, argv, envp); }

    CpuSnapshot initialState() { return initialState; }

    /** The host name of the kernel's first UTS namespace (a container's, unless its programs unshare theirs). */
    public String hostname() { return uts.hostname(); }

    public void setHostname(String h) { uts.setHostname(h); }

    public String domainname() { return uts.domainname(); }

    public void setDomainname(String d) { uts.setDomainname(d); }

    /** The namespaces the first process starts in. */
    public Namespaces initialNamespaces() { return initialNamespaces; }

    /** Runs {@code r} on the kernel's thread between two runs of tasks (from any thread): how host input gets in. */
    public void post(Runnable r) { scheduler.post(r); }

    // ---------------------------------------------------------------- tasks and resources

    /** A new address space charging {@code cg} (null: nobody); ENOMEM when its page directory cannot be had. */
    MemoryManager newMemoryManager(Cgroup cg) { return new MemoryManager(pool, pageCache, faultCounters, region.table(), cg); }

    /** Maps the signal trampoline page into a new program's address space. */
    void mapTrampoline(MemoryManager mm) {
        mm.map(SignalTrampoline.ADDRESS, PagePool.PAGE_SIZE, popek.linux.mm.Vma.PROT_READ | popek.linux.mm.Vma.PROT_EXEC,
                popek.linux.mm.Vma.SHARED, true, trampoline, 0, null);
    }

    /** Register snapshots of dead tasks, for new ones (each is 5.5 KiB of native memory, freed only with the kernel). */
    private final java.util.ArrayDeque<CpuSnapshot> spareSnapshots = new java.util.ArrayDeque<>();

    Task newTask(Pid pid) {
        CpuSnapshot s = spareSnapshots.poll();
        return new Task(this, pid, s != null ? s : Unicorn.newSnapshot(arena));
    }

    /** A dead task's snapshot, free for the next task. */
    void recycleSnapshot(CpuSnapshot s) { spareSnapshots.push(s); }

    /** One more task shares {@code mm} (CLONE_VM). */
    void retainMm(MemoryManager mm) { mm.addUser(); }

    void releaseMm(MemoryManager mm) {
        if (mm.removeUser()) mm.release();
    }

    FdTable shareFds(FdTable f) {
        f.addUser();
        return f;
    }

    FdTable newFds(FdTable f) { return f; }

    void releaseFds(FdTable f) {
        if (f != null && f.removeUser()) f.closeAll();
    }

    /** The first process (the root pid namespace's init) ended; every other one is being killed. */
    void firstProcessEnded() { initDone = true; }

    /** True once the first process has ended and every task is gone. */
    boolean finished() { return initDone && allGone(); }

    /** True once {@link #run} is over (or about to return). Any thread. */
    public boolean done() { return scheduler.finished(); }

    private boolean allGone() {
        for (ThreadGroup g : pids.threadGroups()) if (!g.zombie) return false;
        return true;
    }

    private final int[] recycling = new int[PagePool.RECYCLE_BATCH * 4];

    /** Between runs: reuse quarantined frames once this CPU has dropped the code translated from them (see {@link PagePool}). */
    void recycleFramesIfNeeded(Cpu cpu) {
        while (pool.wantsRecycle()) {
            int n = pool.drainQuarantine(recycling);
            cpu.invalidateFrames(recycling, n);
            pool.free(recycling, n);
            stats.frameRecycles++;
            stats.framesRecycled += n;
        }
    }

    void log(String line) { log.println(line); }

    void internalError(Task t, Throwable e) { internalError(t, "the CPU loop", e); }

    void internalError(Task t, String where, Throwable e) {
        log("popek: internal error in " + where + " for process " + (t == null ? "?" : t.tgid()) + ": " + e
                + (System.getenv("POPEK_DEBUG") != null ? "" : " (set POPEK_DEBUG=1 for the stack trace)"));
        if (System.getenv("POPEK_DEBUG") != null) e.printStackTrace(log);
        if (t != null && t.runState != Task.State.DEAD && !(e instanceof RuntimeException)) {
            processes.crash(t, "internal error");
        }
    }

    // ---------------------------------------------------------------- the first process

    /** What the first process starts with. */
    public record Spawn(String path, byte[][] argv, byte[][] envp, Credentials creds, String cwd,
                        FileDescription stdin, FileDescription stdout, FileDescription stderr) { }

    /**
     * Creates the first process (pid 1, its own session and process group) running {@code s.path}. Throws
     * SyscallException with execve's errno when the program cannot be started.
     */
    public Task spawn(Spawn s) {
        int charged = cgroups.charge(cgroup);
        if (charged < 0) throw popek.linux.abi.Errno.error(-charged);
        Pid pid = pids.allocate();
        Task t = newTask(pid);
        ThreadGroup g = new ThreadGroup(pid, clock.monotonic());
        g.cgroup = cgroup;
        g.leader = t;
        g.tasks.add(t);
        g.unkillable = true;   // the root pid namespace's init: signals from inside without a handler do not reach it
        Session session = new Session(pid);
        ProcessGroup pg = new ProcessGroup(pid, session);
        pg.members.add(g);
        g.processGroup = pg;
        PidNamespace.addSession(session);
        PidNamespace.addProcessGroup(pg);
        t.group = g;
        t.creds = s.creds();
        t.ns = initialNamespaces;
        t.handlers = new SignalHandlers();
        t.fds = new FdTable();
        t.fds.install(s.stdin(), 0, false);
        t.fds.install(s.stdout(), 1, false);
        t.fds.install(s.stderr(), 2, false);
        t.fs = new FsContext(vfs.root(), vfs.root(), 022);
        if (s.cwd() != null && !s.cwd().equals("/")) t.fs.setCwd(vfs.directory(t.fs, vfs.root(), s.cwd(), s.creds()));
        int r;
        try {
            r = exec.execve(t, s.path(), s.argv(), s.envp());
        } catch (RuntimeException e) {
            cgroups.uncharge(cgroup);
            throw e;
        }
        if (r != Syscall.NO_RESULT) {
            cgroups.uncharge(cgroup);
            throw popek.linux.abi.Errno.error(-r);
        }
        cgroups.joined(t, cgroup);
        PidNamespace.add(t);
        PidNamespace.addGroup(g);
        init = g;
        pids.setInit(g);
        stats.processesCreated++;
        scheduler.wake(t);
        return t;
    }

    /** Kills every process (from any thread): how a run is stopped from outside (a timeout, Ctrl-C without -t). */
    public void killAll() {
        post(() -> {
            for (ThreadGroup g : pids.threadGroups()) if (!g.zombie) signals.groupExit(g, Signals.SIGKILL);
        });
    }

    /**
     * Runs every task on the calling thread until the first process has ended; returns its wait status. The thread
     * is the one worker of a host scheduler of the kernel's own (its tasks share it by the policy of
     * {@link popek.sched}, and cpu.max applies).
     */
    public int run() {
        Cgroup root = cgroup;
        while (root.parent() != null) root = root.parent();
        try (HostScheduler own = new HostScheduler(0, root)) {
            scheduler.attach(own);
            own.runHere(scheduler::finished);
        }
        return init.waitStatus;
    }

    /** Runs every task on {@code host}'s workers, beside whatever else it runs, until the first process has ended. */
    public int run(HostScheduler host) {
        scheduler.attach(host);
        scheduler.awaitFinished();
        return init.waitStatus;
    }

    /** Each unserved system call number that was made, with its count (for the report). */
    public void forEachUnknown(Consumer<SyscallTable.Usage> c) {
        for (SyscallTable.Usage u : syscalls.usage()) if (!u.served()) c.accept(u);
    }

    @Override
    public void close() {
        cgroups.releaseAll();
        worker.cpu().close();
        pool.close();
        arena.close();
    }
}
