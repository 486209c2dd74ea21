package popek.linux.syscalls;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

import popek.linux.abi.Errno;
import popek.linux.kernel.Limits;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.kernel.ThreadGroup;
import popek.linux.mm.UserMemory;
import popek.linux.ns.UtsNamespace;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/** The system as a program sees it: uname, sysinfo, limits, scheduling hints, randomness, host name, umask. */
public final class SystemCalls implements SyscallFamily {
    /** What uname reports: Linux 6.1 (the kernel Debian 12 ships) on an i686. */
    public static final String SYSNAME = "Linux", RELEASE = "6.1.0-popek", VERSION = "#1 SMP PREEMPT_DYNAMIC Popek", MACHINE = "i686";

    @Override
    public void register(SyscallTable t) {
        t.register(UNAME, this::uname);
        t.register(SYSINFO, this::sysinfo);
        t.register(GETRLIMIT, (task, a) -> getrlimit(task, a.a0, u(a.a1), true));
        t.register(UGETRLIMIT, (task, a) -> getrlimit(task, a.a0, u(a.a1), false));
        t.register(SETRLIMIT, this::setrlimit);
        t.register(PRLIMIT64, this::prlimit64);
        t.register(SCHED_YIELD, (task, a) -> {
            task.yieldCpu();
            return 0;
        });
        t.register(SCHED_GETAFFINITY, this::getaffinity);
        t.register(SCHED_SETAFFINITY, (task, a) -> 0);
        t.register(GETCPU, (task, a) -> {
            if (a.a0 != 0) task.memory().writeInt(u(a.a0), 0);
            if (a.a1 != 0) task.memory().writeInt(u(a.a1), 0);
            return 0;
        });
        t.register(SCHED_GETSCHEDULER, (task, a) -> 0);   // SCHED_OTHER
        t.register(SCHED_GETPARAM, (task, a) -> {
            task.memory().writeInt(u(a.a1), 0);
            return 0;
        });
        t.register(SCHED_GET_PRIORITY_MAX, (task, a) -> a.a0 == 1 || a.a0 == 2 ? 99 : 0);
        t.register(SCHED_GET_PRIORITY_MIN, (task, a) -> a.a0 == 1 || a.a0 == 2 ? 1 : 0);
        t.register(GETPRIORITY, (task, a) -> 20);   // nice 0, reported as 20 - nice
        t.register(SETPRIORITY, (task, a) -> 0);
        t.register(GETRANDOM, this::getrandom);
        t.register(SETHOSTNAME, (task, a) -> setName(task, a, true));
        t.register(SETDOMAINNAME, (task, a) -> setName(task, a, false));
        t.register(UMASK, (task, a) -> task.fs().setUmask(a.a0));
    }

    private int uname(Task t, SyscallArgs a) {
        UserMemory m = t.memory();
        long at = u(a.a0);
        var uts = t.namespaces().uts();
        String[] f = {SYSNAME, uts.hostname(), RELEASE, VERSION, MACHINE, uts.domainname()};
        m.zero(at, 65 * 6);
        for (int i = 0; i < f.length; i++) {
            byte[] b = f[i].getBytes(StandardCharsets.UTF_8);
            m.write(at + 65L * i, b, 0, Math.min(b.length, 64));
        }
        return 0;
    }

    /** struct sysinfo (i386): uptime, loads[3], totalram, freeram, sharedram, bufferram, totalswap, freeswap, procs, ..., mem_unit. */
    private int sysinfo(Task t, SyscallArgs a) {
        UserMemory m = t.memory();
        long at = u(a.a0);
        var pool = t.kernel().pool();
        m.zero(at, 64);
        m.writeInt(at, (int) ((t.kernel().clock().monotonic() + t.namespaces().time().boottimeOffset()) / 1_000_000_000L));
        m.writeInt(at + 16, pool.totalFrames());
        m.writeInt(at + 20, pool.freeFrames() + pool.quarantined());
        m.writeShort(at + 40, (short) t.kernel().pids().taskCount());
        m.writeInt(at + 52, 4096);   // mem_unit: the RAM fields count pages
        return 0;
    }

    private static long clamp32(long v, boolean old) {
        if (v == Limits.INFINITY || (v & 0xFFFFFFFFL) != v) return old ? 0x7FFFFFFFL : 0xFFFFFFFFL;
        return v;
    }

    private int getrlimit(Task t, int resource, long at, boolean old) {
        if (resource < 0 || resource >= Limits.COUNT) return -Errno.EINVAL;
        ThreadGroup g = t.group();
        t.memory().writeInt(at, (int) clamp32(g.rlimitSoft(resource), old));
        t.memory().writeInt(at + 4, (int) clamp32(g.rlimitHard(resource), old));
        return 0;
    }

    private static long widen(int v) { return v == -1 ? Limits.INFINITY : v & 0xFFFFFFFFL; }

    private int setrlimit(Task t, SyscallArgs a) {
        if (a.a0 < 0 || a.a0 >= Limits.COUNT) return -Errno.EINVAL;
        long soft = widen(t.memory().readInt(u(a.a1))), hard = widen(t.memory().readInt(u(a.a1) + 4));
        return set(t, t.group(), a.a0, soft, hard);
    }

    private int set(Task t, ThreadGroup g, int resource, long soft, long hard) {
        if (Long.compareUnsigned(soft, hard) > 0) return -Errno.EINVAL;
        if (Long.compareUnsigned(hard, g.rlimitHard(resource)) > 0 && !t.credentials().privileged()) return -Errno.EPERM;
        if (resource == Limits.NOFILE && Long.compareUnsigned(soft, 1L << 20) > 0) return -Errno.EPERM;
        g.setRlimit(resource, soft, hard);
        if (resource == Limits.NOFILE) t.fds().setLimit((int) Math.min(soft, 1 << 20));
        return 0;
    }

    /** prlimit64(pid, resource, new, old) with 64-bit limits. */
    private int prlimit64(Task t, SyscallArgs a) {
        if (a.a1 < 0 || a.a1 >= Limits.COUNT) return -Errno.EINVAL;
        ThreadGroup g = a.a0 == 0 ? t.group() : t.pidNamespace().threadGroup(a.a0);
        if (g == null) return -Errno.ESRCH;
        UserMemory m = t.memory();
        long soft = 0, hard = 0;
        if (a.a2 != 0) {
            soft = m.readLong(u(a.a2));
            hard = m.readLong(u(a.a2) + 8);
        }
        if (a.a3 != 0) {
            m.writeLong(u(a.a3), g.rlimitSoft(a.a1));
            m.writeLong(u(a.a3) + 8, g.rlimitHard(a.a1));
        }
        return a.a2 != 0 ? set(t, g, a.a1, soft, hard) : 0;
    }

    /** One CPU: the mask has bit 0; the call returns the mask's size in bytes. */
    private int getaffinity(Task t, SyscallArgs a) {
        int len = a.a1;
        if (len < 4 || (len & 3) != 0) return -Errno.EINVAL;
        t.memory().zero(u(a.a2), len);
        t.memory().writeInt(u(a.a2), 1);
        return 4;
    }

    private int getrandom(Task t, SyscallArgs a) {
        int len = Math.max(0, Math.min(a.a1, 1 << 20));
        byte[] b = new byte[Math.min(len, 4096)];
        int done = 0;
        while (done < len) {
            int n = Math.min(b.length, len - done);
            ThreadLocalRandom.current().nextBytes(b);
            t.memory().write(u(a.a0) + done, b, 0, n);
            done += n;
        }
        return done;
    }

    /** sethostname and setdomainname: in the caller's UTS namespace, with CAP_SYS_ADMIN in the user namespace owning it. */
    private int setName(Task t, SyscallArgs a, boolean host) {
        var uts = t.namespaces().uts();
        if (!t.credentials().capable(uts.owner())) return -Errno.EPERM;
        if (a.a1 < 0 || a.a1 > UtsNamespace.NAME_MAX) return -Errno.EINVAL;
        byte[] b = new byte[a.a1];
        t.memory().read(u(a.a0), b, 0, b.length);
        String s = new String(b, StandardCharsets.UTF_8);
        if (host) uts.setHostname(s);
        else uts.setDomainname(s);
        return 0;
    }
}
