package popek.linux.kernel;

import popek.engine.CpuSnapshot;
import popek.linux.abi.Signals;
import popek.linux.auth.Credentials;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.UserBuffer;
import popek.linux.mm.UserMemory;
import popek.linux.platform.Cpu;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FsContext;
import popek.linux.waiter.WaitQueue;
import popek.linux.waiter.Waiter;

/**
 * One thread of a Linux program (Linux's task_struct, gVisor's Task): its registers (saved in a {@link CpuSnapshot}
 * while it is off a CPU), its share of the process's resources (address space, descriptors, file-system context,
 * signal actions; each shared or not according to the clone flags that made it), its signal mask and thread-directed
 * pending signals, its TLS descriptors, and its scheduling state.
 *
 * <p>Everything here is touched by the CPU thread running the task, or by the kernel's thread that serves the task's
 * process while it is off a CPU; host threads reach a task only through {@link Kernel#post}.
 */
public final class Task implements Waiter, Caller {
    /** Where a task is in its life. */
    public enum State { NEW, RUNNABLE, RUNNING, SLEEPING, STOPPED, DEAD }

    final Kernel kernel;
    final int tid;
    /** Its ids in every pid namespace that sees it ({@code tid} is the root's number). */
    final Pid pid;
    /** The namespaces it belongs to besides its pid and user ones (Linux's nsproxy); shared until one changes. */
    Namespaces ns;
    ThreadGroup group;
    MemoryManager mm;
    UserMemory mem;
    FdTable fds;
    FsContext fs;
    SignalHandlers handlers;
    Credentials creds;
    /** The command name (comm, 15 characters at most): the program's file name, or what prctl(PR_SET_NAME) set. */
    String name = "";

    final CpuSnapshot state;
    /** The CPU running this task, or null while it is off one. */
    Cpu cpu;
    State runState = State.NEW;
    /** The task's GS and FS must be loaded again from the GDT when it is next put on a CPU (after clone with a new TLS). */
    boolean reloadSegments;
    /** The three TLS descriptors of set_thread_area (GDT entries 6-8): low and high words each. */
    final int[] tls = new int[6];

    // signals
    long blocked;
    final PendingSignals pending = new PendingSignals();
    /** rt_sigsuspend / ppoll / pselect: the mask to put back once a handler's frame has been built. */
    long savedMask;
    boolean restoreMaskAfterHandler;
    /** rt_sigtimedwait: signals that wake this task though it blocks them. */
    long sigwaitSet;
    int altStackSp, altStackSize, altStackFlags = Signals.SS_DISABLE;

    // futex wait
    long futexKey;
    int futexBitset;
    boolean futexWoken;

    // vfork: the parent waits until this child execs or exits
    Task vforkParent;
    boolean vforkDone;
    int vforkChild;

    /** Leave the CPU at the next return to user code (a yield, a signal for the running task, a stop). */
    boolean reschedule;
    /** It called sched_yield: it goes behind its peers when it leaves the CPU. */
    boolean yielded;
    /** What the host scheduler runs ({@link popek.sched}). */
    final popek.sched.Entity entity;

    // thread bookkeeping
    int clearChildTid, robustList, robustListLength;
    int exitCode;
    /** Set once the task must die (SIGKILL, exit_group of its process): it leaves at the next chance. */
    boolean dying;

    // a system call in progress (blocked, to be made again when the task wakes)
    final SyscallArgs args = new SyscallArgs();
    boolean inSyscall;
    /** A call made by sysenter, to be served once the CPU has stopped: {@link #FAST_CALL}, or {@link #FAST_EFAULT}. */
    int fastCall;
    static final int FAST_CALL = 1, FAST_EFAULT = 2;
    /** True while the current call runs again after the task was woken (its first run found it had to wait). */
    boolean resumed;
    long deadline = Long.MAX_VALUE;
    boolean timedOut;
    /** Bytes a blocking write already moved before it had to wait (kept across its repeats). */
    int progress;
    private WaitQueue[] waitingOn = new WaitQueue[4];
    private int waitingCount;

    /** Reused for every read and write. */
    final UserBuffer io = new UserBuffer();

    // accounting
    long userNanos, startNanos;
    /** The cgroup its kernel stack is charged to until it exits (null once given back). */
    popek.cgroup.Cgroup stackPaid;
    long voluntarySwitches, involuntarySwitches;

    Task(Kernel kernel, Pid pid, CpuSnapshot state) {
        this.kernel = kernel;
        this.pid = pid;
        this.tid = pid.global();
        this.state = state;
        this.entity = kernel.scheduler().newEntity(this);
    }

    // ---------------------------------------------------------------- identity and resources

    public int tid() { return tid; }

    public Pid pidNumbers() { return pid; }

    /** Its pid namespace (the one it was made in, for good). */
    public PidNamespace pidNamespace() { return pid.namespace(); }

    /** Its thread id in its own pid namespace (gettid). */
    public int ownTid() { return pid.own(); }

    /** Its process id in its own pid namespace (getpid). */
    public int ownPid() { return group.pid.own(); }

    public Namespaces namespaces() { return ns; }

    public void setNamespaces(Namespaces n) { ns = n; }

    /** The process id (the thread group's leader's tid). */
    public int tgid() { return group.tgid(); }

    @Override
    public int pid() { return group.tgid(); }

    public ThreadGroup group() { return group; }

    public Kernel kernel() { return kernel; }

    public MemoryManager mm() { return mm; }

    /** The task's user memory: the one API for touching it. */
    @Override
    public UserMemory memory() { return mem; }

    public FdTable fds() { return fds; }

    public FsContext fs() { return fs; }

    public SignalHandlers handlers() { return handlers; }

    @Override
    public Credentials credentials() { return creds; }

    public void setCredentials(Credentials c) { creds = c; }

    public String name() { return name; }

    public void setName(String n) { name = n.length() > 15 ? n.substring(0, 15) : n; }

    /** The reusable I/O buffer for this task's read and write calls. */
    public UserBuffer io() { return io; }

    /** The registers of this task while it runs (it is on {@link #cpu()} whenever its system calls execute). */
    public Cpu cpu() { return cpu; }

    public CpuSnapshot savedState() { return state; }

    public State runState() { return runState; }

    /** CPU time this thread spent running its code. */
    public long userNanos() { return userNanos; }

    public long blockedSignals() { return blocked; }

    public void setBlockedSignals(long mask) { blocked = mask & ~Signals.UNBLOCKABLE; }

    public PendingSignals pendingSignals() { return pending; }

    public int[] tlsDescriptors() { return tls; }

    /** Marks the TLS descriptors changed: the CPU's GDT is rewritten, and GS/FS reloaded if {@code reload}. */
    public void tlsChanged(boolean reload) {
        if (cpu != null) cpu.loadTls(tls);
        if (reload) reloadSegments = true;
    }

    public void setClearChildTid(int addr) { clearChildTid = addr; }

    /** Asks to leave the CPU before the task's code runs again (sched_yield). */
    public void yieldCpu() {
        reschedule = true;
        yielded = true;
    }

    /** vfork: true once the child this task waits for has exec'ed or exited. */
    public boolean vforkDone() { return vforkDone; }

    public void setVforkDone(boolean done) { vforkDone = done; }

    /** vfork: the child's pid, returned once the parent may go on. */
    public int vforkChild() { return vforkChild; }

    public void setVforkChild(int pid) { vforkChild = pid; }

    public void setRobustList(int head, int len) {
        robustList = head;
        robustListLength = len;
    }

    public int robustList() { return robustList; }

    public int robustListLength() { return robustListLength; }

    // ---------------------------------------------------------------- signals

    /** True when a signal this task does not block is pending for it or its process (a wait should end). */
    /** The task must die (SIGKILL, its process's exit): long calls stop short so that it can (Linux's fatal_signal_pending). */
    public boolean fatalSignalPending() { return dying; }

    public boolean signalPending() {
        return ((pending.set() | group.sharedPending.set()) & ~blocked) != 0 || dying;
    }

    public int altStackSp() { return altStackSp; }

    public int altStackSize() { return altStackSize; }

    public int altStackFlags() { return altStackFlags; }

    public void setAltStack(int sp, int size, int flags) {
        altStackSp = sp;
        altStackSize = size;
        altStackFlags = flags;
    }

    /** Blocks these signals until a handler frame has been built, then puts {@code restore} back (sigsuspend). */
    public void setTemporaryMask(long mask, long restore) {
        savedMask = restore;
        restoreMaskAfterHandler = true;
        setBlockedSignals(mask);
    }

    /**
     * A call that set a temporary mask (ppoll, pselect6) ends without a signal to deliver: the mask it replaced comes
     * back now instead of after a handler.
     */
    public void restoreTemporaryMask() {
        if (!restoreMaskAfterHandler) return;
        restoreMaskAfterHandler = false;
        setBlockedSignals(savedMask);
    }

    // ---------------------------------------------------------------- waiting

    /** True when this call is being made again after the task slept in it (see {@link Syscall#BLOCK}). */
    public boolean resumed() { return resumed; }

    /** True when the task was woken because its deadline passed. */
    public boolean timedOut() { return timedOut; }

    /** The deadline of the current call's wait (monotonic ns), kept across its repeats; MAX_VALUE: none. */
    public long deadline() { return deadline; }

    public void setDeadline(long monotonicNanos) { deadline = monotonicNanos; }

    /** What the current call already did before it had to wait (bytes written), kept across its repeats. */
    public int progress() { return progress; }

    public void setProgress(int p) { progress = p; }

    /** Sleeps until {@code q} reports one of {@code events} (or a signal, or the deadline). Returns {@link Syscall#BLOCK}. */
    public int block(WaitQueue q, int events) {
        waitOn(q, events);
        return sleep();
    }

    /** Sleeps until the deadline set with {@link #setDeadline} (or a signal, or an event waited for with {@link #waitOn}). */
    public int sleep() {
        runState = State.SLEEPING;
        if (deadline != Long.MAX_VALUE) kernel.scheduler().addTimer(this);
        return Syscall.BLOCK;
    }

    /** Adds one more queue this task will wait on (poll waits on many), before {@link #sleep}. */
    public void waitOn(WaitQueue q, int events) {
        for (int i = 0; i < waitingCount; i++) if (waitingOn[i] == q) {
            q.add(this, events);
            return;
        }
        if (waitingCount == waitingOn.length) waitingOn = java.util.Arrays.copyOf(waitingOn, waitingCount * 2);
        waitingOn[waitingCount++] = q;
        q.add(this, events);
    }

    /** Leaves every queue (the task woke, or its call gave up). */
    void stopWaiting() {
        for (int i = 0; i < waitingCount; i++) {
            waitingOn[i].remove(this);
            waitingOn[i] = null;
        }
        waitingCount = 0;
        kernel.scheduler().removeTimer(this);
    }

    @Override
    public void wake(int events) {
        kernel.scheduler().wake(this);
    }

    @Override
    public String toString() { return "task " + tid + " (" + name + ")"; }
}
