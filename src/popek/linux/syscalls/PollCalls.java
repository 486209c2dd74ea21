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
 * Waiting for several files at once: poll, ppoll, select (the old one with its argument block, _newselect) and
 * pselect6, with 32- and 64-bit timeouts. Each asks every file its {@link FileDescription#readiness}; when none is
 * ready the task waits on every file's queue (and its deadline), and the call is made again when one of them moves.
 * Scanning reads the program's arrays in place and allocates nothing.
 */
final class PollCalls implements SyscallFamily {
    private static final int IN_SET = Events.POLLIN | Events.POLLRDNORM | Events.POLLRDBAND | Events.POLLHUP | Events.POLLERR;
    private static final int OUT_SET = Events.POLLOUT | Events.POLLWRNORM | Events.POLLWRBAND | Events.POLLERR;
    private static final int EX_SET = Events.POLLPRI;
    private static final long MS = 1_000_000L;

    @Override
    public void register(SyscallTable t) {
        t.register(POLL, (task, a) -> poll(task, a.a0, a.a1, a.a2));
        t.register(PPOLL, (task, a) -> ppoll(task, a, false));
        t.register(PPOLL_TIME64, (task, a) -> ppoll(task, a, true));
        t.register(_NEWSELECT, (task, a) -> select(task, a.a0, u(a.a1), u(a.a2), u(a.a3), u(a.a4), Timeout.TIMEVAL));
        t.register(SELECT, this::oldSelect);
        t.register(PSELECT6, (task, a) -> pselect6(task, a, false));
        t.register(PSELECT6_TIME64, (task, a) -> pselect6(task, a, true));
    }

    /** How a call's timeout is written: select's timeval (updated with the time left), or pselect's timespec. */
    private enum Timeout { TIMEVAL, TIMESPEC, TIMESPEC64 }

    // ---------------------------------------------------------------- poll

    private int poll(Task t, int fds, int nfds, int timeoutMs) {
        if (!t.resumed() && timeoutMs >= 0) t.setDeadline(t.kernel().clock().monotonic() + timeoutMs * MS);
        int r = pollScan(t, u(fds), nfds, timeoutMs == 0);
        if (r == -Errno.ERESTARTNOHAND) return -Errno.ERESTART_RESTARTBLOCK;
        return r;
    }

    /** ppoll(fds, nfds, tsp, sigmask, sigsetsize). */
    private int ppoll(Task t, SyscallArgs a, boolean time64) {
        boolean zero = false;
        if (!t.resumed()) {
            if (a.a2 != 0) {
                long ns = ThreadCalls.readTimespec(t.memory(), u(a.a2), time64);
                if (ns < 0) return -Errno.EINVAL;
                zero = ns == 0;
                t.setDeadline(t.kernel().clock().monotonic() + ns);
            }
            if (a.a3 != 0) {
                if (a.a4 != 8) return -Errno.EINVAL;
                t.setTemporaryMask(t.memory().readLong(u(a.a3)), t.blockedSignals());
            }
        }
        int r = pollScan(t, u(a.a0), a.a1, zero);
        if (r != Syscall.BLOCK && r != -Errno.ERESTARTNOHAND) t.restoreTemporaryMask();
        return r;
    }

    /**
     * One look at the pollfd array (struct pollfd {int fd; short events; short revents}): the count of ready entries
     * with their revents written, -ERESTARTNOHAND for a signal, or a wait on every file's queue.
     */
    private static int pollScan(Task t, long fds, int nfds, boolean noWait) {
        if (nfds < 0 || nfds > t.fds().limit()) return -Errno.EINVAL;
        UserMemory m = t.memory();
        if (nfds > 0) m.probe(fds, 8L * nfds, true);
        int ready = 0;
        for (int i = 0; i < nfds; i++) {
            long at = fds + 8L * i;
            int fd = m.readInt(at);
            int revents = 0;
            if (fd >= 0) {
                FileDescription f = t.fds().get(fd);
                int events = (m.readShort(at + 4) & 0xFFFF) | Events.POLLERR | Events.POLLHUP;
                revents = f == null ? Events.POLLNVAL : f.readiness(events) & events;
            }
            m.writeShort(at + 6, (short) revents);
            if (revents != 0) ready++;
        }
        if (ready > 0 || noWait || t.timedOut()) return ready;
        if (t.signalPending()) return -Errno.ERESTARTNOHAND;
        for (int i = 0; i < nfds; i++) {
            long at = fds + 8L * i;
            int fd = m.readInt(at);
            FileDescription f = fd < 0 ? null : t.fds().get(fd);
            WaitQueue q = f == null ? null : f.waitQueue();
            if (q != null) t.waitOn(q, (m.readShort(at + 4) & 0xFFFF) | Events.POLLERR | Events.POLLHUP);
        }
        return t.sleep();
    }

    // ---------------------------------------------------------------- select

    /** The i386 select(2) of old: one argument, a block {n, inp, outp, exp, tvp}. */
    private int oldSelect(Task t, SyscallArgs a) {
        UserMemory m = t.memory();
        long b = u(a.a0);
        return select(t, m.readInt(b), u(m.readInt(b + 4)), u(m.readInt(b + 8)), u(m.readInt(b + 12)), u(m.readInt(b + 16)), Timeout.TIMEVAL);
    }

    /** pselect6(n, inp, outp, exp, tsp, {sigmask*, sigsetsize}*). */
    private int pselect6(Task t, SyscallArgs a, boolean time64) {
        if (!t.resumed() && a.a5 != 0) {
            UserMemory m = t.memory();
            long mask = u(m.readInt(u(a.a5)));
            int size = m.readInt(u(a.a5) + 4);
            if (mask != 0) {
                if (size != 8) return -Errno.EINVAL;
                t.setTemporaryMask(m.readLong(mask), t.blockedSignals());
            }
        }
        int r = select(t, a.a0, u(a.a1), u(a.a2), u(a.a3), u(a.a4), time64 ? Timeout.TIMESPEC64 : Timeout.TIMESPEC);
        if (r != Syscall.BLOCK && r != -Errno.ERESTARTNOHAND) t.restoreTemporaryMask();
        return r;
    }

    private int select(Task t, int n, long in, long out, long ex, long timeout, Timeout kind) {
        if (n < 0) return -Errno.EINVAL;
        n = Math.min(n, t.fds().limit());
        UserMemory m = t.memory();
        long now = t.kernel().clock().monotonic();
        boolean zero = false;
        if (timeout != 0) {
            if (!t.resumed()) {
                long ns = readTimeout(m, timeout, kind);
                if (ns < 0) return -Errno.EINVAL;
                t.setDeadline(now + ns);
            }
            zero = t.deadline() <= now;
        }
        int words = (n + 31) / 32;
        int ready = 0;
        for (int w = 0; w < words; w++) {
            int bits = word(m, in, w) | word(m, out, w) | word(m, ex, w);
            for (int bit = 0; bits != 0 && bit < 32; bit++) {
                if ((bits & (1 << bit)) == 0) continue;
                FileDescription f = t.fds().get(w * 32 + bit);
                if (f == null) return -Errno.EBADF;
                ready += Integer.bitCount(readyBits(f, word(m, in, w), word(m, out, w), word(m, ex, w), bit));
            }
        }
        if (ready == 0 && !zero && !t.timedOut()) {
            if (t.signalPending()) return -Errno.ERESTARTNOHAND;
            for (int w = 0; w < words; w++) {
                int bits = word(m, in, w) | word(m, out, w) | word(m, ex, w);
                for (int bit = 0; bits != 0 && bit < 32; bit++) {
                    if ((bits & (1 << bit)) == 0) continue;
                    WaitQueue q = t.fds().get(w * 32 + bit).waitQueue();
                    if (q != null) t.waitOn(q, Events.ALL);
                }
            }
            return t.sleep();
        }
        // Done: the sets become the ready ones, and select's timeval the time that was left.
        for (int w = 0; w < words; w++) {
            int rin = 0, rout = 0, rex = 0;
            int iw = word(m, in, w), ow = word(m, out, w), ew = word(m, ex, w);
            int bits = iw | ow | ew;
            for (int bit = 0; bits != 0 && bit < 32; bit++) {
                if ((bits & (1 << bit)) == 0) continue;
                int r = readyBits(t.fds().get(w * 32 + bit), iw, ow, ew, bit);
                if ((r & 1) != 0) rin |= 1 << bit;
                if ((r & 2) != 0) rout |= 1 << bit;
                if ((r & 4) != 0) rex |= 1 << bit;
            }
            if (in != 0) m.writeInt(in + 4L * w, rin);
            if (out != 0) m.writeInt(out + 4L * w, rout);
            if (ex != 0) m.writeInt(ex + 4L * w, rex);
        }
        if (timeout != 0 && kind == Timeout.TIMEVAL) {
            long left = Math.max(0, t.deadline() - t.kernel().clock().monotonic());
            m.writeInt(timeout, (int) (left / 1_000_000_000L));
            m.writeInt(timeout + 4, (int) (left % 1_000_000_000L / 1000));
        }
        return ready;
    }

    /** Bit 0: ready to read (if asked), 1: to write, 2: an exceptional condition. */
    private static int readyBits(FileDescription f, int in, int out, int ex, int bit) {
        int mask = 1 << bit;
        int want = ((in & mask) != 0 ? IN_SET : 0) | ((out & mask) != 0 ? OUT_SET : 0) | ((ex & mask) != 0 ? EX_SET : 0);
        int r = f.readiness(want | Events.POLLERR | Events.POLLHUP);
        return ((in & mask) != 0 && (r & IN_SET) != 0 ? 1 : 0) | ((out & mask) != 0 && (r & OUT_SET) != 0 ? 2 : 0)
                | ((ex & mask) != 0 && (r & EX_SET) != 0 ? 4 : 0);
    }

    private static int word(UserMemory m, long set, int w) { return set == 0 ? 0 : m.readInt(set + 4L * w); }

    private static long readTimeout(UserMemory m, long at, Timeout kind) {
        if (kind != Timeout.TIMEVAL) return ThreadCalls.readTimespec(m, at, kind == Timeout.TIMESPEC64);
        long sec = m.readInt(at), usec = m.readInt(at + 4);
        if (sec < 0 || usec < 0 || usec >= 1_000_000) return -1;
        return sec * 1_000_000_000L + usec * 1000;
    }

}
