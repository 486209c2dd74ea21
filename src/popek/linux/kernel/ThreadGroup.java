package popek.linux.kernel;

import java.util.ArrayList;
import java.util.List;

import popek.cgroup.Cgroup;
import popek.linux.abi.Signals;
import popek.linux.waiter.WaitQueue;

/**
 * A process (Linux's thread group and signal_struct): its threads, its place in the process tree (parent, children,
 * process group and session), its process-directed pending signals, its exit status once it ends, its resource limits
 * and interval timers, and the CPU time its threads and reaped children used.
 */
public final class ThreadGroup {
    final int tgid;
    /** Its leader's pid: {@code tgid} is the root namespace's number of it. */
    final Pid pid;
    /** Init of its pid namespace: signals from inside it that it has no handler for are dropped (SIGNAL_UNKILLABLE). */
    boolean unkillable;
    final List<Task> tasks = new ArrayList<>();
    Task leader;
    ThreadGroup parent;
    final List<ThreadGroup> children = new ArrayList<>();
    ProcessGroup processGroup;
    final PendingSignals sharedPending = new PendingSignals();
    /** Where this process's waits for its children sleep: children notify it when they change state. */
    final WaitQueue childEvents = new WaitQueue();
    /** The signal its parent gets when it ends (SIGCHLD, or what clone asked for; 0 for none). */
    int exitSignal = Signals.SIGCHLD;

    /** A group exit is in progress (exit_group, or a fatal signal): the status every thread leaves with. */
    boolean exiting;
    int groupExitStatus;
    /** Every thread is gone: the process waits for its parent to reap it. */
    boolean zombie;
    /** The wait status wait4 reports (exit code << 8, or the signal, with 0x80 for a core dump). */
    int waitStatus;
    /** Job control: stopped by a signal (and whether the parent has seen it with WUNTRACED), or continued. */
    boolean stopped, stopReported = true, continuedReport;
    int stopSignal;

    final long[] rlimitSoft = new long[Limits.COUNT], rlimitHard = new long[Limits.COUNT];
    /** ITIMER_REAL: the next expiry (monotonic ns, MAX_VALUE when off) and the interval. */
    long alarmAt = Long.MAX_VALUE, alarmInterval;

    long userNanos, childrenUserNanos;
    long minorFaults;
    /** What execve ran: the path, argv and envp, for /proc/[pid]/{exe,cmdline,environ}. */
    String executable = "";
    byte[][] argv = new byte[0][], envp = new byte[0][];
    final long startNanos;
    /** The cgroup every thread of it is in (inherited on fork, moved by cgroup.procs). */
    Cgroup cgroup;

    ThreadGroup(Pid pid, long startNanos) {
        this.pid = pid;
        this.tgid = pid.global();
        this.startNanos = startNanos;
        Limits.setDefaults(rlimitSoft, rlimitHard);
    }

    public int tgid() { return tgid; }

    public Pid pid() { return pid; }

    /** Its id as namespace {@code ns} numbers it (0 if it cannot see it). */
    public int tgid(PidNamespace ns) { return pid.nr(ns); }

    /** Its parent's id as this process's own namespace numbers it: 0 with no parent, or one outside (getppid). */
    public int ppid() { return parent == null ? 0 : parent.pid.nr(pid.namespace()); }

    public Task leader() { return leader; }

    public List<Task> tasks() { return List.copyOf(tasks); }

    public ThreadGroup parent() { return parent; }

    public List<ThreadGroup> children() { return List.copyOf(children); }

    public ProcessGroup processGroup() { return processGroup; }

    public Session session() { return processGroup.session(); }

    public boolean zombie() { return zombie; }

    public int waitStatus() { return waitStatus; }

    public String executable() { return executable; }

    public byte[][] argv() { return argv; }

    public byte[][] envp() { return envp; }

    public long startNanos() { return startNanos; }

    /** Its cgroup (where it stays, as a zombie, until reaped). */
    public Cgroup cgroup() { return cgroup; }

    public long userNanos() {
        long n = userNanos;
        for (Task t : tasks) n += t.userNanos;
        return n;
    }

    public long childrenUserNanos() { return childrenUserNanos; }

    public long rlimitSoft(int resource) { return rlimitSoft[resource]; }

    public long rlimitHard(int resource) { return rlimitHard[resource]; }

    public void setRlimit(int resource, long soft, long hard) {
        rlimitSoft[resource] = soft;
        rlimitHard[resource] = hard;
    }

    public PendingSignals sharedPending() { return sharedPending; }

    public WaitQueue childEvents() { return childEvents; }
}
