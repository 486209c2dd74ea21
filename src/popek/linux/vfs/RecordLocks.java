package popek.linux.vfs;

import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The record locks of one container as a whole: which files have some (so a process's locks go when it ends), and who
 * waits for whose lock (F_SETLKW), so a wait that would close a cycle fails with EDEADLK instead, as Linux's
 * posix_locks_deadlock finds.
 */
public final class RecordLocks {
    private final Map<Integer, Integer> waitsFor = new HashMap<>();
    private final Set<FileLocks> locked = Collections.newSetFromMap(new IdentityHashMap<>());

    public synchronized void waiting(int pid, int holder) { waitsFor.put(pid, holder); }

    public synchronized void done(int pid) { waitsFor.remove(pid); }

    /** A file now has record locks. */
    public synchronized void holding(FileLocks l) { locked.add(l); }

    /** True when {@code holder} waits, directly or through others, for {@code pid}. */
    public synchronized boolean wouldDeadlock(int pid, int holder) {
        int at = holder;
        for (int steps = 0; steps < 64; steps++) {
            if (at == pid) return true;
            Integer next = waitsFor.get(at);
            if (next == null) return false;
            at = next;
        }
        return false;
    }

    /** Process {@code pid} ended: its locks go (waking whoever waits for them) and it waits for nothing. */
    public void processExited(int pid) {
        List<FileLocks> files;
        synchronized (this) {
            waitsFor.remove(pid);
            files = List.copyOf(locked);
        }
        for (FileLocks l : files) {
            l.releasePosix(pid);
            if (!l.hasPosix()) {
                synchronized (this) {
                    locked.remove(l);
                }
            }
        }
    }
}
