package popek.linux.vfs.pipe;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.IntPredicate;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Inode;
import popek.linux.vfs.Location;
import popek.linux.waiter.WaitQueue;

/**
 * Opening FIFOs as fifo_open does: one pipe per FIFO inode (made at the first open); a reader waits for a writer and
 * a writer for a reader unless O_NONBLOCK (a non-blocking writer with no reader fails with ENXIO); O_RDWR never
 * waits. An open that must wait throws EAGAIN and is remembered as pending for its caller, so the opposite side sees
 * it coming (two processes opening both ends cannot wait for each other); the system call sleeps on
 * {@link #pendingQueue} and opens again, finding its pending open, or gives up with {@link #cancel}.
 */
public final class Fifos {
    private record Pending(Pipe pipe, Inode holder, boolean reader, int pid) { }

    private final Map<Caller, Pending> pending = new IdentityHashMap<>();
    private final IntPredicate alive;

    /** {@code alive} tells whether a process still exists (a pending open of one that died is dropped). */
    public Fifos(IntPredicate alive) { this.alive = alive; }

    public synchronized FileDescription open(Caller c, Location at, int flags) {
        Inode holder = at.inode().fifoHolder();
        Pipe p;
        synchronized (holder) {
            if (holder.fifo instanceof Pipe existing) {
                p = existing;
            } else {
                p = new Pipe(c.credentials());
                holder.fifo = p;
            }
        }
        Pending mine = pending.get(c);
        if (mine != null && mine.pipe != p) {   // the path now leads to another FIFO
            pending.remove(c);
            mine = null;
        }
        int acc = flags & FileFlags.O_ACCMODE;
        boolean nonblock = (flags & FileFlags.O_NONBLOCK) != 0;
        if (acc == FileFlags.O_RDWR) return p.open(flags, at);
        boolean reader = acc == FileFlags.O_RDONLY;
        if (reader) {
            if (nonblock || p.hasWriters() || waiting(p, false)) return done(c, p, flags, at);
        } else {
            if (p.hasReaders() || waiting(p, true)) return done(c, p, flags, at);
            if (nonblock) throw Errno.error(Errno.ENXIO);
        }
        if (mine == null) {
            pending.put(c, new Pending(p, holder, reader, c.pid()));
            p.queue.notify(popek.linux.waiter.Events.ALL);   // an opener of the other side may now go ahead
        }
        throw Errno.error(Errno.EAGAIN);
    }

    private FileDescription done(Caller c, Pipe p, int flags, Location at) {
        pending.remove(c);
        return p.open(flags, at);
    }

    /** Whether a live caller is waiting to open {@code p} as a reader ({@code reader}) or a writer. */
    private boolean waiting(Pipe p, boolean reader) {
        var it = pending.values().iterator();
        while (it.hasNext()) {
            Pending q = it.next();
            if (!alive.test(q.pid)) {
                it.remove();
                continue;
            }
            if (q.pipe == p && q.reader == reader) return true;
        }
        return false;
    }

    /** The queue {@code c}'s pending FIFO open waits on, or null if it has none. */
    public synchronized WaitQueue pendingQueue(Caller c) {
        Pending q = pending.get(c);
        return q == null ? null : q.pipe.queue;
    }

    /** {@code c} gave up waiting (a signal). */
    public synchronized void cancel(Caller c) { pending.remove(c); }
}
