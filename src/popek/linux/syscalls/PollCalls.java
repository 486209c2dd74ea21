package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.kernel.Syscall;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.FileDescription;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * Waiting for descriptors: poll, ppoll, select (the old one-pointer form too), _newselect and pselect6 (and the
 * 64-bit time forms), over any file's readiness. When nothing is ready the task sleeps on every file's wait queue
 * (with the timeout as a deadline) and the call is made again when one changes; ppoll and pselect6 swap in their
 * signal mask for the wait. select writes back the time left, as Linux does. Nothing is allocated.
 */
final class PollCalls implements SyscallFamily {
    private static final int POLLIN_SET = Events.POLLIN | Events.POLLRDNORM | Events.POLLRDBAND | Events.POLLHUP | Events.POLLERR;
    private static final int POLLOUT_SET = Events.POLLOUT | Events.POLLWRNORM | Events.POLLWRBAND | Events.POLLERR;
    private static final int POLLEX_SET = Events.POLLPRI;

    @Override
    public void register(SyscallTable t) {
        t.register(POLL, (task, a) -> poll(task, u(a.a0), a.a1, a.a2 < 0 ? -1 : a.a2 * 1_000_000L));
        t.register(PPOLL, (task, a) -> ppoll(task, a, false));
        t.register(PPOLL_TIME64, (task, a) -> ppoll(task, a, true));
        t.register(_NEWSELECT, (task, a) -> select(task, a.a0, u(a.a1), u(a.a2), u(a.a3), u(a.a4), Time.TIMEVAL));
        t.register(SELECT, (task, a) -> {   // the old select: one pointer to its five arguments
            UserMemory m = task.memory();
            long p = u(a.a0);
            return select(task, m.readInt(p), u(m.readInt(p + 4)), u(m.readInt(p + 8)), u(m.readInt(p + 12)), u(m.readInt(p + 16)), Time.TIMEVAL);
        });
        t.register(PSELECT6, (task, a) -> pselect(task, a, Time.TIMESPEC));
        t.register(PSELECT6_TIME64, (task, a) -> pselect(task, a, Time.TIMESPEC64));
    }

    private enum Time { TIMEVAL, TIMESPEC, TIMESPEC64 }

    /** A timeout in ns read from user memory (-1: none; EINVAL for a negative or malformed one). */
    private static long readTimeout(Task t, long at, Time kind) {
        if (at == 0) return -1;
        UserMemory m = t.memory();
        long sec, frac;
        switch (kind) {
            case TIMEVAL -> {
                sec = m.readInt(at);
                frac = m.readInt(at + 4) * 1000L;
                if (frac < 0 || frac >= 1_000_000_000L) throw Errno.error(Errno.EINVAL);
            }
            case TIMESPEC -> {
                sec = m.readInt(at);
                frac = m.readInt(at + 4);
            }
            default -> {
                sec = m.readLong(at);
                frac = m.readLong(at + 8);
            }
        }
        if (sec < 0 || frac < 0 || frac >= 1_000_000_000L) throw Errno.error(Errno.EINVAL);
        return sec > Long.MAX_VALUE / 2_000_000_000L ? Long.MAX_VALUE / 2 : sec * 1_000_000_000L + frac;
    }

    /** The deadline of a wait of {@code timeout} ns begun now, kept across the call's repeats. */
    private static long deadline(Task t, long timeout) {
        if (!t.resumed()) t.setDeadline(timeout < 0 ? Long.MAX_VALUE : t.kernel().clock().monotonic() + timeout);
        return t.deadline();
    }

    private static int poll(Task t, long fds, int nfds, long timeout) {
        if (nfds < 0 || nfds > t.fds().limit()) return -Errno.EINVAL;
        UserMemory m = t.memory();
        m.probe(fds, 8L * nfds, true);
        long deadline = deadline(t, timeout);
        int ready = 0;
        for (int i = 0; i < nfds; i++) {
            long at = fds + 8L * i;
            int fd = m.readInt(at);
            int events = m.readShort(at + 4) & 0xFFFF;
            int revents = 0;
            if (fd >= 0) {
                FileDescription f = t.fds().get(fd);
                revents = f == null ? Events.POLLNVAL
                        : f.readiness(events | Events.POLLERR | Events.POLLHUP) & (events | Events.POLLERR | Events.POLLHUP);
            }
            m.writeShort(at + 6, (short) revents);
            if (revents != 0) ready++;
        }
        if (ready > 0 || timeout == 0 || t.timedOut()) return ready;
        if (t.signalPending()) return -Errno.ERESTARTNOHAND;
        for (int i = 0; i < nfds; i++) {
            int fd = m.readInt(fds + 8L * i);
            FileDescription f = fd >= 0 ? t.fds().get(fd) : null;
            WaitQueue q = f == null ? null : f.waitQueue();
            if (q != null) t.waitOn(q, (m.readShort(fds + 8L * i + 4) & 0xFFFF) | Events.POLLERR | Events.POLLHUP);
        }
        t.setDeadline(deadline);
        return t.sleep();
    }

    /** ppoll(fds, nfds, timeout*, sigmask*, sigsetsize). */
    private static int ppoll(Task t, SyscallArgs a, boolean time64) {
        long timeout = readTimeout(t, u(a.a2), time64 ? Time.TIMESPEC64 : Time.TIMESPEC);
        int r = swapMask(t, u(a.a3), a.a4);
        if (r < 0) return r;
        try {
            return maskBack(t, poll(t, u(a.a0), a.a1, timeout));
        } catch (popek.linux.abi.SyscallException e) {
            t.restoreTemporaryMask();
            throw e;
        }
    }

    /**
     * The call's own mask goes back when it ends without a signal to deliver (with one, the signal code puts it back
     * after the handler's frame is built, so the handler runs under the call's mask, as on Linux).
     */
    private static int maskBack(Task t, int result) {
        if (result != Syscall.BLOCK && result != -Errno.ERESTARTNOHAND) t.restoreTemporaryMask();
        return result;
    }

    /** The wait's signal mask in place of the task's, put back when the call ends (or after the handler it ran). */
    private static int swapMask(Task t, long mask, int size) {
        if (mask == 0 || t.resumed()) return 0;
        if (size != 8) return -Errno.EINVAL;
        t.setTemporaryMask(t.memory().readLong(mask), t.blockedSignals());
        return 0;
    }

    /** pselect6(n, in, out, ex, timeout*, {sigmask*, size}*). */
    private static int pselect(Task t, SyscallArgs a, Time kind) {
        long sig = u(a.a5);
        if (sig != 0) {
            long mask = u(t.memory().readInt(sig));
            int r = swapMask(t, mask, t.memory().readInt(sig + 4));
            if (r < 0) return r;
        }
        try {
            return maskBack(t, select(t, a.a0, u(a.a1), u(a.a2), u(a.a3), u(a.a4), kind));
        } catch (popek.linux.abi.SyscallException e) {
            t.restoreTemporaryMask();
            throw e;
        }
    }

    /** select over three fd_sets of {@code n} bits: the ready bits written back, their count returned. */
    private static int select(Task t, int n, long in, long out, long ex, long tv, Time kind) {
        if (n < 0) return -Errno.EINVAL;
        n = Math.min(n, t.fds().limit());
        long timeout = readTimeout(t, tv, kind);
        long deadline = deadline(t, timeout);
        int ready = scan(t, n, in, out, ex, false);
        if (ready < 0) return ready;
        boolean done = ready > 0 || timeout == 0 || t.timedOut();
        if (!done && t.signalPending()) {
            writeLeft(t, tv, kind, deadline);
            return -Errno.ERESTARTNOHAND;
        }
        if (done) {
            ready = scan(t, n, in, out, ex, true);
            writeLeft(t, tv, kind, deadline);
            return ready;
        }
        for (int fd = 0; fd < n; fd++) {
            int want = (bit(t, in, fd) ? POLLIN_SET : 0) | (bit(t, out, fd) ? POLLOUT_SET : 0) | (bit(t, ex, fd) ? POLLEX_SET : 0);
            if (want == 0) continue;
            WaitQueue q = t.fds().get(fd).waitQueue();
            if (q != null) t.waitOn(q, want);
        }
        t.setDeadline(deadline);
        return t.sleep();
    }

    private static boolean bit(Task t, long set, int fd) {
        return set != 0 && (t.memory().readInt(set + 4L * (fd >>> 5)) & (1 << (fd & 31))) != 0;
    }

    /** Counts (and with {@code write}, leaves in the sets) the ready descriptors; -EBADF for a closed one asked for. */
    private static int scan(Task t, int n, long in, long out, long ex, boolean write) {
        UserMemory m = t.memory();
        int count = 0;
        for (int word = 0; word * 32 < n; word++) {
            long off = 4L * word;
            int r = in == 0 ? 0 : m.readInt(in + off), w = out == 0 ? 0 : m.readInt(out + off), e = ex == 0 ? 0 : m.readInt(ex + off);
            int all = r | w | e;
            int rr = 0, rw = 0, re = 0;
            for (int b = 0; b < 32 && word * 32 + b < n; b++) {
                int bitv = 1 << b;
                if ((all & bitv) == 0) continue;
                FileDescription f = t.fds().get(word * 32 + b);
                if (f == null) return -Errno.EBADF;
                int ev = f.readiness(POLLIN_SET | POLLOUT_SET | POLLEX_SET | Events.POLLHUP | Events.POLLERR);
                if ((r & bitv) != 0 && (ev & POLLIN_SET) != 0) rr |= bitv;
                if ((w & bitv) != 0 && (ev & POLLOUT_SET) != 0) rw |= bitv;
                if ((e & bitv) != 0 && (ev & POLLEX_SET) != 0) re |= bitv;
            }
            count += Integer.bitCount(rr) + Integer.bitCount(rw) + Integer.bitCount(re);
            if (write) {
                if (in != 0) m.writeInt(in + off, rr);
                if (out != 0) m.writeInt(out + off, rw);
                if (ex != 0) m.writeInt(ex + off, re);
            }
        }
        return count;
    }

    /** Writes the time left before the deadline back into select's timeout, as Linux does. */
    private static void writeLeft(Task t, long at, Time kind, long deadline) {
        if (at == 0 || deadline == Long.MAX_VALUE) return;
        long left = Math.max(0, deadline - t.kernel().clock().monotonic());
        UserMemory m = t.memory();
        long sec = left / 1_000_000_000L, ns = left % 1_000_000_000L;
        switch (kind) {
            case TIMEVAL -> {
                m.writeInt(at, (int) sec);
                m.writeInt(at + 4, (int) (ns / 1000));
            }
            case TIMESPEC -> {
                m.writeInt(at, (int) sec);
                m.writeInt(at + 4, (int) ns);
            }
            default -> {
                m.writeLong(at, sec);
                m.writeLong(at + 8, ns);
            }
        }
    }
}
