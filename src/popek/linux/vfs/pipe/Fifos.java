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
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * Opening FIFOs as fifo_open does: one pipe per FIFO inode (made at the first open); a reader waits for a writer and
 * a writer for a reader unless O_NONBLOCK (a non-blocking writer with no reader fails with ENXIO); O_RDWR never
 * waits. As on Linux, an opener counts as a reader or writer from the moment it starts waiting, so two processes
 * opening the two ends find each other and a reader that opens next to a waiting writer reads, not EOF. An open that
 * must wait throws EAGAIN and is remembered as pending for its caller; the system call sleeps on
 * {@link #pendingQueue} and opens again (finding its pending open), or gives up with {@link #cancel}. A pending open
 * of a process that ends meanwhile is let go ({@link #processExited}).
 */
public final class Fifos {
    private record Pending(Pipe pipe, boolean reader, int pid, long otherOpens) { }

    private final Map<Caller, Pending> pending = new IdentityHashMap<>();
    private final IntPredicate alive;

    /** {@code alive} tells whether a process still exists. */
    public Fifos(IntPredicate alive) { this.alive = alive; }

    public synchronized FileDescription open(Caller c, Location at, int flags) {
        dropDead();
        Pipe p = pipeOf(c, at.inode());
        Pending mine = pending.get(c);
        if (mine != null && mine.pipe != p) {   // the path now leads to another FIFO: the old wait is over
            cancel(c);
            mine = null;
        }
        int acc = flags & FileFlags.O_ACCMODE;
        boolean nonblock = (flags & FileFlags.O_NONBLOCK) != 0;
        if (acc == FileFlags.O_RDWR) return p.open(flags, at);
        boolean reader = acc == FileFlags.O_RDONLY;
        if (mine != null) {
            // The other side is there, or came and went meanwhile (fifo_open waits for its counter to change).
            if (reader ? p.hasWriters() || p.writerOpens() != mine.otherOpens : p.hasReaders() || p.readerOpens() != mine.otherOpens) {
                pending.remove(c);
                return p.reserved(flags, at);
            }
            throw Errno.error(Errno.EAGAIN);
        }
        if (reader) {
            if (nonblock || p.hasWriters()) return p.open(flags, at);
        } else {
            if (p.hasReaders()) return p.open(flags, at);
            if (nonblock) throw Errno.error(Errno.ENXIO);
        }
        p.reserve(reader);   // counted now: the other side's open sees it coming
        pending.put(c, new Pending(p, reader, c.pid(), reader ? p.writerOpens() : p.readerOpens()));
        throw Errno.error(Errno.EAGAIN);
    }

    private static Pipe pipeOf(Caller c, Inode inode) {
        Inode holder = inode.fifoHolder();
        synchronized (holder) {
            if (holder.fifo instanceof Pipe existing) return existing;
            Pipe p = new Pipe(c.credentials());
            holder.fifo = p;
            return p;
        }
    }

    private void dropDead() {
        var it = pending.values().iterator();
        while (it.hasNext()) {
            Pending q = it.next();
            if (alive.test(q.pid)) continue;
            it.remove();
            q.pipe.unreserve(q.reader);
        }
    }

    /** The queue {@code c}'s pending FIFO open waits on, or null if it has none. */
    public synchronized WaitQueue pendingQueue(Caller c) {
        Pending q = pending.get(c);
        return q == null ? null : q.pipe.queue;
    }

    /** Process {@code pid} ended while one of its threads waited to open a FIFO. */
    public synchronized void processExited(int pid) {
        var it = pending.values().iterator();
        while (it.hasNext()) {
            Pending q = it.next();
            if (q.pid != pid) continue;
            it.remove();
            q.pipe.unreserve(q.reader);
        }
    }

    /** {@code c} gave up waiting (a signal): it no longer counts as a reader or writer. */
    public synchronized void cancel(Caller c) {
        Pending q = pending.remove(c);
        if (q != null) {
            q.pipe.unreserve(q.reader);
            q.pipe.queue.notify(Events.ALL);
        }
    }
}
