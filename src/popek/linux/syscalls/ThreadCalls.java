package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.kernel.Futexes;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/** Threads: TLS through set_thread_area, futexes, robust lists. (clone is with the process calls.) */
final class ThreadCalls implements SyscallFamily {
    static final int FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5,
            FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10, FUTEX_PRIVATE = 128, FUTEX_CLOCK_REALTIME = 256;

    @Override
    public void register(SyscallTable t) {
        t.register(SET_THREAD_AREA, (task, a) -> task.kernel().processes().setThreadArea(task, u(a.a0)));
        t.register(GET_THREAD_AREA, (task, a) -> task.kernel().processes().getThreadArea(task, u(a.a0)));
        t.register(FUTEX, (task, a) -> futex(task, a, false));
        t.register(FUTEX_TIME64, (task, a) -> futex(task, a, true));
        t.register(SET_ROBUST_LIST, (task, a) -> {
            if (a.a1 != 12) return -Errno.EINVAL;
            task.setRobustList(a.a0, a.a1);
            return 0;
        });
        t.register(GET_ROBUST_LIST, (task, a) -> {
            Task target = a.a0 == 0 ? task : task.pidNamespace().task(a.a0);
            if (target == null) return -Errno.ESRCH;
            task.memory().writeInt(u(a.a1), target.robustList());
            task.memory().writeInt(u(a.a2), 12);
            return 0;
        });
    }

    /** futex(uaddr, op, val, timeout or val2, uaddr2, val3). */
    private int futex(Task t, SyscallArgs a, boolean time64) {
        Futexes f = t.kernel().futexes();
        long addr = u(a.a0);
        int op = a.a1 & 127;
        boolean priv = (a.a1 & FUTEX_PRIVATE) != 0;
        switch (op) {
            case FUTEX_WAIT, FUTEX_WAIT_BITSET -> {
                if (!t.resumed() && a.a3 != 0) {
                    long ns = readTimespec(t.memory(), u(a.a3), time64);
                    if (ns < 0) return -Errno.EINVAL;
                    var clock = t.kernel().clock();
                    if (op == FUTEX_WAIT) t.setDeadline(clock.monotonic() + ns);
                    else if ((a.a1 & FUTEX_CLOCK_REALTIME) != 0) t.setDeadline(clock.monotonic() + (ns - clock.realtime()));
                    else t.setDeadline(ns);
                }
                return f.wait(t, addr, a.a2, op == FUTEX_WAIT ? -1 : a.a5, priv);
            }
            case FUTEX_WAKE -> { return f.wake(t, addr, a.a2, -1, priv); }
            case FUTEX_WAKE_BITSET -> { return f.wake(t, addr, a.a2, a.a5, priv); }
            case FUTEX_REQUEUE -> { return f.requeue(t, addr, a.a2, a.a3, u(a.a4), false, 0, priv); }
            case FUTEX_CMP_REQUEUE -> { return f.requeue(t, addr, a.a2, a.a3, u(a.a4), true, a.a5, priv); }
            case FUTEX_WAKE_OP -> { return wakeOp(t, f, addr, a.a2, a.a3, u(a.a4), a.a5, priv); }
            default -> { return -Errno.ENOSYS; }
        }
    }

    private int wakeOp(Task t, Futexes f, long addr, int n, int n2, long addr2, int encoded, boolean priv) {
        UserMemory m = t.memory();
        int op = (encoded >>> 28) & 7, cmp = (encoded >>> 24) & 15;
        int oparg = (encoded << 8) >> 20, cmparg = (encoded << 20) >> 20;
        if (((encoded >>> 28) & 8) != 0) oparg = 1 << (oparg & 31);
        int old = m.readInt(addr2);
        int now = switch (op) {
            case 0 -> oparg;
            case 1 -> old + oparg;
            case 2 -> old | oparg;
            case 3 -> old & ~oparg;
            case 4 -> old ^ oparg;
            default -> old;
        };
        if (op > 4) return -Errno.ENOSYS;
        m.writeInt(addr2, now);
        int woken = f.wake(t, addr, n, -1, priv);
        boolean hit = switch (cmp) {
            case 0 -> old == cmparg;
            case 1 -> old != cmparg;
            case 2 -> old < cmparg;
            case 3 -> old <= cmparg;
            case 4 -> old > cmparg;
            case 5 -> old >= cmparg;
            default -> false;
        };
        if (hit) woken += f.wake(t, addr2, n2, -1, priv);
        return woken;
    }

    /** A timespec (32-bit fields, or 64-bit for the *_time64 calls) as nanoseconds; -1 when malformed. */
    static long readTimespec(UserMemory m, long at, boolean time64) {
        long sec, nsec;
        if (time64) {
            sec = m.readLong(at);
            nsec = m.readLong(at + 8);
        } else {
            sec = m.readInt(at);
            nsec = m.readInt(at + 4);
        }
        if (sec < 0 || nsec < 0 || nsec >= 1_000_000_000L) return -1;
        if (sec > Long.MAX_VALUE / 1_000_000_000L - 1) return Long.MAX_VALUE / 2;
        return sec * 1_000_000_000L + nsec;
    }
}
