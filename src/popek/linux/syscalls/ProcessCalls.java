package popek.linux.syscalls;

import java.nio.charset.StandardCharsets;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.abi.Signals;
import popek.linux.kernel.Processes;
import popek.linux.kernel.ProcessGroup;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.kernel.ThreadGroup;
import popek.linux.mm.UserMemory;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/** Processes: exit, fork/vfork/clone, execve, the wait calls, ids, process groups and sessions, prctl's names. */
final class ProcessCalls implements SyscallFamily {
    /** execve's limits: MAX_ARG_STRINGS and the usual 2 MiB of argument and environment bytes. */
    private static final int MAX_ARGS = 0x7FFFFFFF, MAX_ARG_BYTES = 2 << 20;

    @Override
    public void register(SyscallTable t) {
        t.register(EXIT, (task, a) -> task.kernel().processes().exit(task, (a.a0 & 0xFF) << 8, false));
        t.register(EXIT_GROUP, (task, a) -> task.kernel().processes().exit(task, (a.a0 & 0xFF) << 8, true));
        t.register(FORK, (task, a) -> task.kernel().processes().clone(task, Signals.SIGCHLD, 0, 0, 0, 0));
        t.register(VFORK, this::vfork);
        t.register(CLONE, this::clone);
        t.register(EXECVE, (task, a) -> execve(task, a.a0, a.a1, a.a2));
        t.register(WAIT4, (task, a) -> wait4(task, a.a0, a.a1, a.a2, a.a3));
        t.register(WAITPID, (task, a) -> wait4(task, a.a0, a.a1, a.a2, 0));
        t.register(WAITID, (task, a) -> waitid(task, a.a0, a.a1, a.a2, a.a3, a.a4));
        t.register(GETPID, (task, a) -> task.ownPid());
        t.register(GETTID, (task, a) -> task.ownTid());
        t.register(GETPPID, (task, a) -> task.group().ppid());
        t.register(SET_TID_ADDRESS, (task, a) -> {
            task.setClearChildTid(a.a0);
            return task.ownTid();
        });
        t.register(GETPGRP, (task, a) -> task.group().processGroup().pgid(task.pidNamespace()));
        t.register(GETPGID, this::getpgid);
        t.register(SETPGID, (task, a) -> task.kernel().processes().setpgid(task, a.a0, a.a1));
        t.register(GETSID, this::getsid);
        t.register(SETSID, (task, a) -> task.kernel().processes().setsid(task));
        t.register(PRCTL, this::prctl);
        t.register(PERSONALITY, (task, a) -> 0);   // PER_LINUX, and nothing else is supported
    }

    private int vfork(Task t, SyscallArgs a) {
        if (t.resumed()) {   // the child has exec'ed or exited: return its pid
            if (!t.vforkDone()) return t.sleep();
            t.setVforkDone(false);
            return t.vforkChild();
        }
        int pid = t.kernel().processes().clone(t, Processes.CLONE_VM | Processes.CLONE_VFORK | Signals.SIGCHLD, 0, 0, 0, 0);
        if (pid < 0) return pid;
        t.setVforkChild(pid);
        if (t.vforkDone()) {
            t.setVforkDone(false);
            return pid;
        }
        return t.sleep();
    }

    /** i386 clone(flags, newsp, parent_tidptr, tls, child_tidptr). */
    private int clone(Task t, SyscallArgs a) {
        if ((a.a0 & Processes.CLONE_VFORK) != 0 && t.resumed()) {
            if (!t.vforkDone()) return t.sleep();
            t.setVforkDone(false);
            return t.vforkChild();
        }
        int pid = t.kernel().processes().clone(t, a.a0, a.a1, a.a2, a.a3, a.a4);
        if (pid < 0 || (a.a0 & Processes.CLONE_VFORK) == 0) return pid;
        t.setVforkChild(pid);
        if (t.vforkDone()) {
            t.setVforkDone(false);
            return pid;
        }
        return t.sleep();
    }

    private int execve(Task t, int path, int argv, int envp) {
        UserMemory m = t.memory();
        String p = new String(m.readBytesZ(u(path), FileFlags.PATH_MAX), StandardCharsets.ISO_8859_1);
        if (p.isEmpty()) return -Errno.ENOENT;
        byte[][] args = m.readStringArray(u(argv), MAX_ARGS, MAX_ARG_BYTES);
        byte[][] env = m.readStringArray(u(envp), MAX_ARGS, MAX_ARG_BYTES);
        return t.kernel().execve(t, p, args, env);
    }

    private int wait4(Task t, int pid, int status, int options, int rusage) {
        if ((options & ~(Processes.WNOHANG | Processes.WUNTRACED | Processes.WCONTINUED | 0x40000000 | 0x80000000 | 0x20000000)) != 0) {
            return -Errno.EINVAL;
        }
        return t.kernel().processes().wait(t, pid, options | Processes.WEXITED, u(status), u(rusage));
    }

    private static final int P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;

    /** waitid(idtype, id, infop, options, rusage): wait4's search with its own id types and options, no implied WEXITED. */
    private int waitid(Task t, int idtype, int id, int info, int options, int rusage) {
        if ((options & ~(Processes.WNOHANG | Processes.WUNTRACED | Processes.WEXITED | Processes.WCONTINUED | Processes.WNOWAIT
                | 0x40000000 | 0x80000000 | 0x20000000)) != 0) {
            return -Errno.EINVAL;
        }
        if ((options & (Processes.WEXITED | Processes.WUNTRACED | Processes.WCONTINUED)) == 0) return -Errno.EINVAL;
        int pid = switch (idtype) {
            case P_ALL -> -1;
            case P_PID -> id <= 0 ? Integer.MIN_VALUE : id;
            case P_PGID -> id < 0 ? Integer.MIN_VALUE : id == 0 ? 0 : -id;
            case P_PIDFD -> Integer.MAX_VALUE;   // no descriptor is a pidfd here
            default -> Integer.MIN_VALUE;
        };
        if (pid == Integer.MIN_VALUE) return -Errno.EINVAL;
        if (pid == Integer.MAX_VALUE) return -Errno.EBADF;
        return t.kernel().processes().waitid(t, pid, options, u(info), u(rusage));
    }

    /** getpgid(pid): numbers as the caller's pid namespace has them (0 for a group it cannot see). */
    private int getpgid(Task t, SyscallArgs a) {
        ThreadGroup g = a.a0 == 0 ? t.group() : t.pidNamespace().threadGroup(a.a0);
        if (g == null || g.zombie() && g.processGroup() == null) return -Errno.ESRCH;
        return g.processGroup().pgid(t.pidNamespace());
    }

    private int getsid(Task t, SyscallArgs a) {
        ThreadGroup g = a.a0 == 0 ? t.group() : t.pidNamespace().threadGroup(a.a0);
        if (g == null) return -Errno.ESRCH;
        ProcessGroup pg = g.processGroup();
        return pg.session().sid(t.pidNamespace());
    }

    private static final int PR_SET_PDEATHSIG = 1, PR_GET_PDEATHSIG = 2, PR_GET_DUMPABLE = 3, PR_SET_DUMPABLE = 4,
            PR_SET_NAME = 15, PR_GET_NAME = 16, PR_SET_NO_NEW_PRIVS = 38, PR_GET_NO_NEW_PRIVS = 39;

    private int prctl(Task t, SyscallArgs a) {
        switch (a.a0) {
            case PR_SET_NAME -> {
                byte[] name = t.memory().readBytesZ(u(a.a1), 4096);
                t.setName(new String(name, 0, Math.min(name.length, 15), StandardCharsets.ISO_8859_1));
                return 0;
            }
            case PR_GET_NAME -> {
                byte[] n = java.util.Arrays.copyOf(t.name().getBytes(StandardCharsets.ISO_8859_1), 16);
                t.memory().write(u(a.a1), n, 0, 16);
                return 0;
            }
            case PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS -> { return 0; }
            case PR_GET_PDEATHSIG -> {
                t.memory().writeInt(u(a.a1), 0);
                return 0;
            }
            case PR_GET_DUMPABLE -> { return 1; }
            case PR_GET_NO_NEW_PRIVS -> { return 0; }
            default -> { return -Errno.EINVAL; }
        }
    }
}
