package popek.linux.vfs;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.IntPredicate;

import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * The locks on one inode: POSIX record locks (fcntl F_SETLK, owned by a process, byte ranges split and merged as
 * Linux does) and BSD flock locks (owned by an open file). Locks of processes that are gone are dropped when met.
 * Waiters (F_SETLKW, flock without LOCK_NB) sleep on {@link #queue} and try again when a lock is released.
 */
public final class FileLocks {
    /** l_type values. */
    public static final int F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

    /** A record lock: [start, end] inclusive, end = Long.MAX_VALUE for "to the end of the file, however long". */
    public record Range(int pid, int type, long start, long end) {
        boolean overlaps(long s, long e) { return start <= e && s <= end; }
    }

    private record Flock(Object owner, boolean exclusive) { }

    private final List<Range> posix = new ArrayList<>();
    private final List<Flock> flocks = new ArrayList<>();
    private final WaitQueue queue = new WaitQueue();

    public WaitQueue queue() { return queue; }

    /** The first lock of another (live) process that a {@code type} lock on [start, end] by {@code pid} would conflict with. */
    public synchronized Range conflict(int pid, int type, long start, long end, IntPredicate alive) {
        for (Iterator<Range> it = posix.iterator(); it.hasNext(); ) {
            Range r = it.next();
            if (alive != null && !alive.test(r.pid)) {
                it.remove();
                continue;
            }
            if (r.pid != pid && r.overlaps(start, end) && (type == F_WRLCK || r.type == F_WRLCK)) return r;
        }
        return null;
    }

    /**
     * Sets (or with F_UNLCK removes) {@code pid}'s lock on [start, end]: false, changing nothing, when another
     * process holds a conflicting one.
     */
    public boolean set(int pid, int type, long start, long end, IntPredicate alive) {
        synchronized (this) {
            if (type != F_UNLCK && conflict(pid, type, start, end, alive) != null) return false;
            List<Range> kept = new ArrayList<>();
            for (Range r : posix) {
                if (r.pid != pid || !r.overlaps(start, end)) {
                    kept.add(r);
                    continue;
                }
                if (r.start < start) kept.add(new Range(pid, r.type, r.start, start - 1));
                if (r.end > end) kept.add(new Range(pid, r.type, end + 1, r.end));
            }
            if (type != F_UNLCK) {
                long s = start, e = end;
                for (Iterator<Range> it = kept.iterator(); it.hasNext(); ) {   // merge with touching locks of the same type
                    Range r = it.next();
                    if (r.pid == pid && r.type == type && r.start <= (e == Long.MAX_VALUE ? e : e + 1) && s <= (r.end == Long.MAX_VALUE ? r.end : r.end + 1)) {
                        s = Math.min(s, r.start);
                        e = Math.max(e, r.end);
                        it.remove();
                    }
                }
                kept.add(new Range(pid, type, s, e));
            }
            posix.clear();
            posix.addAll(kept);
        }
        queue.notify(Events.ALL);
        return true;
    }

    /** Every record lock of {@code pid} goes (it closed a descriptor of this file, or ended). */
    public void releasePosix(int pid) {
        boolean changed;
        synchronized (this) {
            changed = posix.removeIf(r -> r.pid == pid);
        }
        if (changed) queue.notify(Events.ALL);
    }

    public synchronized boolean hasPosix() { return !posix.isEmpty(); }

    /** flock: takes a shared or exclusive lock for {@code owner}; false if another open file's lock is in the way. */
    public boolean flock(Object owner, boolean exclusive) {
        synchronized (this) {
            for (Flock f : flocks) {
                if (f.owner != owner && (exclusive || f.exclusive)) return false;
            }
            boolean changed = flocks.removeIf(f -> f.owner == owner);
            flocks.add(new Flock(owner, exclusive));
            if (!changed) return true;
        }
        queue.notify(Events.ALL);   // a downgrade may let others in
        return true;
    }

    /** LOCK_UN, and the last close of the open file. */
    public void releaseFlock(Object owner) {
        boolean changed;
        synchronized (this) {
            changed = flocks.removeIf(f -> f.owner == owner);
        }
        if (changed) queue.notify(Events.ALL);
    }

    /** Whether {@code owner} holds a flock lock now (for a conversion: Linux drops the old lock first). */
    public synchronized boolean holdsFlock(Object owner) {
        for (Flock f : flocks) if (f.owner == owner) return true;
        return false;
    }
}
