package popek.linux.vfs.setup;

import popek.linux.abi.Errno;
import popek.linux.ns.Namespace;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.proc.ProcSource;

/**
 * The ProcSource the container's first /proc is made with, forwarding to the kernel's view of its root pid namespace
 * once the kernel exists (an empty system before).
 */
final class DelegatingProcSource implements ProcSource {
    volatile ProcSource target;

    @Override
    public ProcSource viewFor(Caller mounter) { return target == null ? this : target.viewFor(mounter); }

    @Override
    public int[] pids() { return target == null ? new int[0] : target.pids(); }

    @Override
    public int pidOf(Caller c) { return target == null ? 0 : target.pidOf(c); }

    @Override
    public FsContext callerFs(Caller c) { return target == null ? null : target.callerFs(c); }

    @Override
    public ProcessInfo process(int pid) { return target == null ? null : target.process(pid); }

    @Override
    public int[] threads(int pid) { return target == null ? new int[0] : target.threads(pid); }

    @Override
    public int[] nsIds(int tid) { return target == null ? new int[0] : target.nsIds(tid); }

    @Override
    public int[] fds(int pid) { return target == null ? new int[0] : target.fds(pid); }

    @Override
    public FileDescription fd(int pid, int fd) { return target == null ? null : target.fd(pid, fd); }

    @Override
    public boolean closeOnExec(int pid, int fd) { return target != null && target.closeOnExec(pid, fd); }

    @Override
    public FsContext fs(int pid) { return target == null ? null : target.fs(pid); }

    @Override
    public Namespace namespace(int pid, String link) { return target == null ? null : target.namespace(pid, link); }

    @Override
    public String cgroup(Caller c, int pid) { return target == null ? "0::/\n" : target.cgroup(c, pid); }

    @Override
    public String idMap(Caller c, int pid, boolean groups) { return target == null ? "" : target.idMap(c, pid, groups); }

    @Override
    public void writeIdMap(Caller c, int pid, boolean groups, String text) { live().writeIdMap(c, pid, groups, text); }

    @Override
    public String setgroups(int pid) { return target == null ? "" : target.setgroups(pid); }

    @Override
    public void writeSetgroups(Caller c, int pid, String text) { live().writeSetgroups(c, pid, text); }

    @Override
    public String timensOffsets(int pid) { return target == null ? "" : target.timensOffsets(pid); }

    @Override
    public void writeTimensOffsets(Caller c, int pid, String text) { live().writeTimensOffsets(c, pid, text); }

    @Override
    public SystemInfo system(Caller c) {
        if (target != null) return target.system(c);
        return new SystemInfo(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "popek", "(none)", "6.1.0-popek", "#1");
    }

    @Override
    public void setName(Caller c, boolean host, String name) { live().setName(c, host, name); }

    private ProcSource live() {
        ProcSource t = target;
        if (t == null) throw Errno.error(Errno.ESRCH);
        return t;
    }
}
