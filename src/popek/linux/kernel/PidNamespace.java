package popek.linux.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import popek.linux.abi.Errno;
import popek.linux.ns.Namespace;
import popek.linux.ns.NsInodes;
import popek.linux.ns.NsType;
import popek.linux.ns.UserNamespace;

/**
 * A pid namespace (pid_namespaces(7)): the ids of the tasks, processes, process groups and sessions it sees (its own
 * and those of the namespaces below it), each under the number it has here; its parent; and its init, the first
 * process made in it (number 1), which reaps its orphans and whose end kills everything left in it. The kernel's root
 * namespace sees every task; its numbers are the kernel's own names for them.
 */
public final class PidNamespace implements Namespace {
    /** Linux's default pid_max. */
    static final int PID_MAX = 32768;
    /** Linux's limit on nesting (MAX_PID_NS_LEVEL). */
    static final int MAX_LEVEL = 32;

    private final PidNamespace parent;
    private final int level;
    private final long inode;
    private final UserNamespace owner;
    private final TreeMap<Integer, Task> tasks = new TreeMap<>();
    private final TreeMap<Integer, ThreadGroup> groups = new TreeMap<>();
    private final TreeMap<Integer, ProcessGroup> processGroups = new TreeMap<>();
    private final TreeMap<Integer, Session> sessions = new TreeMap<>();
    private int last;
    /** Its init (child_reaper): the process that got number 1 here; null until one is made. */
    private ThreadGroup init;
    /** Its init has ended: no process can be made in it any more (fork fails with ENOMEM). */
    private boolean closed;
    /** Its init, ended, whose parent hears of it once every other process here has ended (as Linux's zap waits). */
    private ThreadGroup initAwaitingEmpty;

    private PidNamespace(PidNamespace parent, UserNamespace owner, long inode) {
        this.parent = parent;
        this.level = parent == null ? 0 : parent.level + 1;
        this.owner = owner;
        this.inode = inode;
    }

    /** A kernel's root pid namespace. */
    static PidNamespace root() { return new PidNamespace(null, UserNamespace.INITIAL, NsType.PID.initialInode()); }

    /** A new namespace below this one (CLONE_NEWPID), owned by {@code owner}; ENOSPC past 32 levels. */
    PidNamespace child(UserNamespace owner) {
        if (level + 1 > MAX_LEVEL) throw Errno.error(Errno.ENOSPC);
        return new PidNamespace(this, owner, NsInodes.allocate());
    }

    @Override
    public NsType type() { return NsType.PID; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return owner; }

    public PidNamespace parent() { return parent; }

    public int level() { return level; }

    /** True when {@code ns} is this namespace or lies below it (this one sees its tasks). */
    public boolean isAncestorOrSelfOf(PidNamespace ns) {
        for (PidNamespace n = ns; n != null; n = n.parent) if (n == this) return true;
        return false;
    }

    /** Its init, or null before its first process. */
    public ThreadGroup init() { return init; }

    void setInit(ThreadGroup g) { init = g; }

    /** Its init ended: nothing more may be made in it. */
    void close() { closed = true; }

    ThreadGroup initAwaitingEmpty() { return initAwaitingEmpty; }

    void setInitAwaitingEmpty(ThreadGroup g) { initAwaitingEmpty = g; }

    // ---------------------------------------------------------------- ids

    /** A free number here (never one a live task, process group or session holds), or -1 when all are taken. */
    private synchronized int next() {
        for (int i = 0; i < PID_MAX; i++) {
            last = last % (PID_MAX - 1) + 1;
            if (!tasks.containsKey(last) && !processGroups.containsKey(last) && !sessions.containsKey(last)) return last;
        }
        return -1;
    }

    /** Numbers for a new task made in this namespace, one at each level up to the root: ENOMEM once its init ended, EAGAIN when one level is full. */
    Pid allocate() {
        if (closed) throw Errno.error(Errno.ENOMEM);
        int[] numbers = new int[level + 1];
        for (PidNamespace n = this; n != null; n = n.parent) {
            int nr = n.next();
            if (nr < 0) throw Errno.error(Errno.EAGAIN);
            numbers[n.level] = nr;
        }
        return new Pid(this, numbers);
    }

    // ---------------------------------------------------------------- the tables of every namespace that sees an id

    static void add(Task t) {
        for (PidNamespace n = t.pid.namespace(); n != null; n = n.parent) n.put(n.tasks, t.pid, t);
    }

    static void remove(Task t) {
        for (PidNamespace n = t.pid.namespace(); n != null; n = n.parent) n.drop(n.tasks, t.pid);
    }

    static void addGroup(ThreadGroup g) {
        for (PidNamespace n = g.pid.namespace(); n != null; n = n.parent) n.put(n.groups, g.pid, g);
    }

    static void removeGroup(ThreadGroup g) {
        for (PidNamespace n = g.pid.namespace(); n != null; n = n.parent) n.drop(n.groups, g.pid);
    }

    static void addProcessGroup(ProcessGroup pg) {
        for (PidNamespace n = pg.pid.namespace(); n != null; n = n.parent) n.put(n.processGroups, pg.pid, pg);
    }

    static void removeProcessGroup(ProcessGroup pg) {
        for (PidNamespace n = pg.pid.namespace(); n != null; n = n.parent) n.drop(n.processGroups, pg.pid);
    }

    static void addSession(Session s) {
        for (PidNamespace n = s.pid.namespace(); n != null; n = n.parent) n.put(n.sessions, s.pid, s);
    }

    static void removeSession(Session s) {
        for (PidNamespace n = s.pid.namespace(); n != null; n = n.parent) n.drop(n.sessions, s.pid);
    }

    private synchronized <T> void put(TreeMap<Integer, T> map, Pid pid, T value) { map.put(pid.nrAt(level), value); }

    private synchronized <T> void drop(TreeMap<Integer, T> map, Pid pid) { map.remove(pid.nrAt(level)); }

    // ---------------------------------------------------------------- lookups by the numbers this namespace uses

    public synchronized Task task(int nr) { return tasks.get(nr); }

    public synchronized ThreadGroup threadGroup(int nr) { return groups.get(nr); }

    public synchronized ProcessGroup processGroup(int nr) { return processGroups.get(nr); }

    public synchronized Session session(int nr) { return sessions.get(nr); }

    /** Every process it sees, by its number here (for /proc and kill(-1)). */
    public synchronized List<ThreadGroup> threadGroups() { return new ArrayList<>(groups.values()); }

    /** How many tasks it sees. */
    public synchronized int taskCount() { return tasks.size(); }

    /** The highest number in use here (/proc/sys/kernel/ns_last_pid shows the last allocated). */
    public synchronized int lastPid() { return last; }

    @Override
    public String toString() { return linkText(); }
}
