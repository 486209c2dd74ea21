package popek.linux.vfs;

import java.util.HashMap;
import java.util.Map;

/**
 * Who waits for whose record lock (F_SETLKW) in one container: a wait that would close a cycle fails with EDEADLK
 * instead, as Linux's posix_locks_deadlock finds.
 */
public final class LockWaits {
    private final Map<Integer, Integer> waitsFor = new HashMap<>();

    public synchronized void waiting(int pid, int holder) { waitsFor.put(pid, holder); }

    public synchronized void done(int pid) { waitsFor.remove(pid); }

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
}
