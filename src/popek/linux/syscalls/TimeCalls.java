package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.kernel.Clock;
import popek.linux.kernel.Rusage;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * Time: the clocks (32- and 64-bit time; CLOCK_MONOTONIC and CLOCK_BOOTTIME start at 0 with the container's kernel
 * and carry the offsets of the caller's time namespace), sleeping, process times and resource usage.
 */
final class TimeCalls implements SyscallFamily {
    static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3,
            CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5, CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7;
    static final int TIMER_ABSTIME = 1;
    /** Clock ticks per second (USER_HZ) for times(2). */
    static final int HZ = 100;

    @Override
    public void register(SyscallTable t) {
        t.register(CLOCK_GETTIME, (task, a) -> clockGettime(task, a.a0, u(a.a1), false));
        t.register(CLOCK_GETTIME64, (task, a) -> clockGettime(task, a.a0, u(a.a1), true));
        t.register(CLOCK_GETRES, (task, a) -> clockGetres(task, a.a0, u(a.a1), false));
        t.register(CLOCK_GETRES_TIME64, (task, a) -> clockGetres(task, a.a0, u(a.a1), true));
        t.register(GETTIMEOFDAY, this::gettimeofday);
        t.register(TIME, this::time);
        t.register(NANOSLEEP, (task, a) -> sleep(task, CLOCK_MONOTONIC, 0, u(a.a0), u(a.a1), false));
        t.register(CLOCK_NANOSLEEP, (task, a) -> sleep(task, a.a0, a.a1, u(a.a2), u(a.a3), false));
        t.register(CLOCK_NANOSLEEP_TIME64, (task, a) -> sleep(task, a.a0, a.a1, u(a.a2), u(a.a3), true));
        t.register(TIMES, this::times);
        t.register(GETRUSAGE, this::getrusage);
    }

    /** Clock {@code clock} as task {@code t} reads it: the monotonic and boot clocks with its time namespace's offsets. */
    private static long now(Task t, int clock) {
        Clock c = t.kernel().clock();
        return switch (clock) {
            case CLOCK_REALTIME, CLOCK_REALTIME_COARSE -> c.realtime();
            case CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE -> c.monotonic() + t.namespaces().time().monotonicOffset();
            case CLOCK_BOOTTIME -> c.monotonic() + t.namespaces().time().boottimeOffset();
            case CLOCK_PROCESS_CPUTIME_ID -> t.group().userNanos();
            case CLOCK_THREAD_CPUTIME_ID -> t.userNanos();
            default -> -1;
        };
    }

    static void writeTimespec(UserMemory m, long at, long ns, boolean time64) {
        if (time64) {
            m.writeLong(at, Math.floorDiv(ns, 1_000_000_000L));
            m.writeLong(at + 8, Math.floorMod(ns, 1_000_000_000L));
        } else {
            m.writeInt(at, (int) Math.floorDiv(ns, 1_000_000_000L));
            m.writeInt(at + 4, (int) Math.floorMod(ns, 1_000_000_000L));
        }
    }

    private int clockGettime(Task t, int clock, long at, boolean time64) {
        long ns = now(t, clock);
        if (ns < 0) return -Errno.EINVAL;
        writeTimespec(t.memory(), at, ns, time64);
        return 0;
    }

    private int clockGetres(Task t, int clock, long at, boolean time64) {
        if (now(t, clock) < 0) return -Errno.EINVAL;
        if (at != 0) writeTimespec(t.memory(), at, 1, time64);
        return 0;
    }

    private int gettimeofday(Task t, SyscallArgs a) {
        long ns = t.kernel().clock().realtime();
        UserMemory m = t.memory();
        if (a.a0 != 0) {
            m.writeInt(u(a.a0), (int) (ns / 1_000_000_000L));
            m.writeInt(u(a.a0) + 4, (int) (ns % 1_000_000_000L / 1000));
        }
        if (a.a1 != 0) m.writeLong(u(a.a1), 0);   // struct timezone: UTC
        return 0;
    }

    private int time(Task t, SyscallArgs a) {
        int s = (int) (t.kernel().clock().realtime() / 1_000_000_000L);
        if (a.a0 != 0) t.memory().writeInt(u(a.a0), s);
        return s;
    }

    /** nanosleep and clock_nanosleep: sleeps until the deadline; a signal ends it early with the time left in {@code rem}. */
    private int sleep(Task t, int clock, int flags, long req, long rem, boolean time64) {
        if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME) return -Errno.EINVAL;
        Clock c = t.kernel().clock();
        if (!t.resumed()) {
            long ns = ThreadCalls.readTimespec(t.memory(), req, time64);
            if (ns < 0) return -Errno.EINVAL;
            long deadline;
            if ((flags & TIMER_ABSTIME) != 0) deadline = c.monotonic() + (ns - now(t, clock));   // the kernel's clock, whatever the namespace's
            else deadline = c.monotonic() + ns;
            t.setDeadline(deadline);
        }
        long left = t.deadline() - c.monotonic();
        if (left <= 0) return 0;
        if (t.signalPending()) {
            if (rem != 0 && (flags & TIMER_ABSTIME) == 0) writeTimespec(t.memory(), rem, left, time64);
            return (flags & TIMER_ABSTIME) != 0 ? -Errno.ERESTARTNOHAND : -Errno.ERESTART_RESTARTBLOCK;
        }
        return t.sleep();
    }

    /** times(buf): struct tms {utime, stime, cutime, cstime} in clock ticks; returns ticks since boot. */
    private int times(Task t, SyscallArgs a) {
        if (a.a0 != 0) {
            UserMemory m = t.memory();
            m.writeInt(u(a.a0), (int) (t.group().userNanos() / (1_000_000_000L / HZ)));
            m.writeInt(u(a.a0) + 4, 0);
            m.writeInt(u(a.a0) + 8, (int) (t.group().childrenUserNanos() / (1_000_000_000L / HZ)));
            m.writeInt(u(a.a0) + 12, 0);
        }
        return (int) (t.kernel().clock().monotonic() / (1_000_000_000L / HZ));
    }

    private int getrusage(Task t, SyscallArgs a) {
        long user = switch (a.a0) {
            case 0 -> t.group().userNanos();            // RUSAGE_SELF
            case -1 -> t.group().childrenUserNanos();   // RUSAGE_CHILDREN
            case 1 -> t.userNanos();                    // RUSAGE_THREAD
            default -> -1;
        };
        if (user < 0) return -Errno.EINVAL;
        Rusage.write(t.memory(), u(a.a1), user, 0);
        return 0;
    }
}
