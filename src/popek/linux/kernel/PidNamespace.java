package popek.linux.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The ids of one pid namespace: thread ids (a process's id is its leader's), process groups and sessions. The first
 * process of a container gets 1. (Nested namespaces, where a task has an id in each, come with container isolation.)
 */
public final class PidNamespace {
    /** Linux's default pid_max. */
    static final int PID_MAX = 32768;

    private final TreeMap<Integer, Task> tasks = new TreeMap<>();
    private final TreeMap<Integer, ThreadGroup> groups = new TreeMap<>();
    private final TreeMap<Integer, ProcessGroup> processGroups = new TreeMap<>();
    private final TreeMap<Integer, Session> sessions = new TreeMap<>();
    private int last;

    /** A free id (never one a live task, process group or session holds), or -1 when all are taken. */
    synchronized int allocate() {
        for (int i = 0; i < PID_MAX; i++) {
            last = last % (PID_MAX - 1) + 1;
            if (!tasks.containsKey(last) && !processGroups.containsKey(last) && !sessions.containsKey(last)) return last;
        }
        return -1;
    }

    synchronized void add(Task t) { tasks.put(t.tid, t); }

    synchronized void remove(Task t) { tasks.remove(t.tid); }

    synchronized void addGroup(ThreadGroup g) { groups.put(g.tgid, g); }

    synchronized void removeGroup(ThreadGroup g) { groups.remove(g.tgid); }

    synchronized void addProcessGroup(ProcessGroup g) { processGroups.put(g.pgid, g); }

    synchronized void removeProcessGroup(ProcessGroup g) { processGroups.remove(g.pgid); }

    synchronized void addSession(Session s) { sessions.put(s.sid, s); }

    synchronized void removeSession(Session s) { sessions.remove(s.sid); }

    public synchronized Task task(int tid) { return tasks.get(tid); }

    public synchronized ThreadGroup threadGroup(int tgid) { return groups.get(tgid); }

    public synchronized ProcessGroup processGroup(int pgid) { return processGroups.get(pgid); }

    public synchronized Session session(int sid) { return sessions.get(sid); }

    /** Every process, by id (for /proc and kill(-1)). */
    public synchronized List<ThreadGroup> threadGroups() { return new ArrayList<>(groups.values()); }

    public synchronized int taskCount() { return tasks.size(); }
}
