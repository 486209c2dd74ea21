package popek.linux.vfs.proc;

import java.util.List;

import popek.linux.auth.Credentials;
import popek.linux.mm.Vma;
import popek.linux.ns.Namespace;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;

/**
 * What /proc shows, asked of the kernel (which the VFS cannot see): the processes of one pid namespace, the one of
 * the task that mounted this /proc (every number is as that namespace has it), and their state, descriptors,
 * file-system context and namespaces; and the system's figures as a reader sees them. Snapshots are taken at open.
 */
public interface ProcSource {
    /** Clock ticks per second in /proc (USER_HZ). */
    int HZ = 100;

    /** The names of /proc/[pid]/ns's links, in the order Linux lists them. */
    List<String> NAMESPACE_LINKS = List.of("cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time",
            "time_for_children", "user", "uts");

    /** The view of the pid namespace of {@code mounter} (a new mount of proc): this one without a kernel yet. */
    default ProcSource viewFor(Caller mounter) { return this; }

    /** The processes (thread-group ids), in order. */
    int[] pids();

    /** {@code c}'s process id here, or 0 if this namespace cannot see it (/proc/self then leads nowhere). */
    int pidOf(Caller c);

    /** {@code c}'s own file-system context, wherever it is (a reader's root, for the paths /proc shows it). */
    FsContext callerFs(Caller c);

    /** A snapshot of process {@code pid}, or null if there is none. */
    ProcessInfo process(int pid);

    /** The thread ids of process {@code pid} (empty if none). */
    int[] threads(int pid);

    /** Task {@code tid}'s ids from this namespace down to its own (NSpid). */
    int[] nsIds(int tid);

    /** Process {@code pid}'s open descriptors, in order. */
    int[] fds(int pid);

    /** The open file behind descriptor {@code fd} of process {@code pid}, or null. */
    FileDescription fd(int pid, int fd);

    /** Whether descriptor {@code fd} of {@code pid} is close-on-exec (fdinfo's flags). */
    boolean closeOnExec(int pid, int fd);

    /** Process {@code pid}'s root, working directory and umask, or null. */
    FsContext fs(int pid);

    /** The namespace behind /proc/[pid]/ns/{@code link}, or null (no such process, or pid_for_children before its first process). */
    Namespace namespace(int pid, String link);

    /** /proc/[pid]/cgroup: "0::" and the process's cgroup as reader {@code c}'s cgroup namespace shows it. */
    String cgroup(Caller c, int pid);

    /** /proc/[pid]/uid_map or gid_map as reader {@code c} sees it. */
    String idMap(Caller c, int pid, boolean groups);

    /** Writes /proc/[pid]/uid_map or gid_map (user_namespaces(7)'s rules; errors thrown as errnos). */
    void writeIdMap(Caller c, int pid, boolean groups, String text);

    /** /proc/[pid]/setgroups: "allow" or "deny". */
    String setgroups(int pid);

    void writeSetgroups(Caller c, int pid, String text);

    /** /proc/[pid]/timens_offsets: the offsets of the process's time namespace for children. */
    String timensOffsets(int pid);

    void writeTimensOffsets(Caller c, int pid, String text);

    /** The system's figures as reader {@code c} sees them (its UTS namespace's names, its time namespace's uptime). */
    SystemInfo system(Caller c);

    /** Sets the host or domain name of {@code c}'s UTS namespace (writes to /proc/sys/kernel/hostname and domainname). */
    void setName(Caller c, boolean host, String name);

    /**
     * One process as /proc/[pid]/stat and status describe it (times in clock ticks, sizes in bytes or pages; ids as
     * this /proc's namespace numbers them, {@code nsTgid}, {@code nsPgid}, {@code nsSid} from it down to the
     * process's own; credentials as kernel ids).
     */
    record ProcessInfo(int pid, String comm, char state, int ppid, int pgrp, int session, int ttyNr, int tpgid,
                       long minorFaults, long utime, long stime, long cutime, long cstime, int threads, long startTicks,
                       long rssPages, Credentials creds, long sigPending, long sigShared, long sigBlocked,
                       long sigIgnored, long sigCaught, byte[] cmdline, byte[] environ, String exe, List<Vma> areas,
                       long brkStart, long brk, int exitCode, int[] nsTgid, int[] nsPgid, int[] nsSid) { }

    /** The system's figures for meminfo, stat, uptime, loadavg and sys/kernel. */
    record SystemInfo(long uptimeNanos, long memTotal, long memFree, long cached, long contextSwitches,
                      long processesCreated, int running, int tasks, int lastPid, long bootEpochSeconds,
                      long userTicks, String hostname, String domainname, String release, String version) { }
}
