package popek.linux.vfs.proc;

import java.util.List;

import popek.linux.auth.Credentials;
import popek.linux.mm.Vma;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;

/**
 * What /proc shows, asked of the kernel (which the VFS cannot see): the processes of the reader's pid namespace and
 * their state, their descriptors and file-system context, and the system's figures. Snapshots are taken at open.
 */
public interface ProcSource {
    /** Clock ticks per second in /proc (USER_HZ). */
    int HZ = 100;

    /** The processes (thread-group ids), in order. */
    int[] pids();

    /** A snapshot of process {@code pid}, or null if there is none. */
    ProcessInfo process(int pid);

    /** The thread ids of process {@code pid} (empty if none). */
    int[] threads(int pid);

    /** Process {@code pid}'s open descriptors, in order. */
    int[] fds(int pid);

    /** The open file behind descriptor {@code fd} of process {@code pid}, or null. */
    FileDescription fd(int pid, int fd);

    /** Whether descriptor {@code fd} of {@code pid} is close-on-exec (fdinfo's flags). */
    boolean closeOnExec(int pid, int fd);

    /** Process {@code pid}'s root, working directory and umask, or null. */
    FsContext fs(int pid);

    SystemInfo system();

    /** Sets the host or domain name (writes to /proc/sys/kernel/hostname and domainname). */
    void setName(boolean host, String name);

    /** One process as /proc/[pid]/stat and status describe it (times in clock ticks, sizes in bytes or pages). */
    record ProcessInfo(int pid, String comm, char state, int ppid, int pgrp, int session, int ttyNr, int tpgid,
                       long minorFaults, long utime, long stime, long cutime, long cstime, int threads, long startTicks,
                       long rssPages, Credentials creds, long sigPending, long sigShared, long sigBlocked,
                       long sigIgnored, long sigCaught, byte[] cmdline, byte[] environ, String exe, List<Vma> areas,
                       long brkStart, long brk, int exitCode) { }

    /** The system's figures for meminfo, stat, uptime, loadavg and sys/kernel. */
    record SystemInfo(long uptimeNanos, long memTotal, long memFree, long cached, long contextSwitches,
                      long processesCreated, int running, int tasks, int lastPid, long bootEpochSeconds,
                      long userTicks, String hostname, String domainname, String release, String version) { }
}
