package popek.linux.vfs.setup;

import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.proc.ProcSource;

/** The ProcSource /proc is made with, forwarding to the kernel's once it exists (an empty system before). */
final class DelegatingProcSource implements ProcSource {
    volatile ProcSource target;

    @Override
    public int[] pids() { return target == null ? new int[0] : target.pids(); }

    @Override
    public ProcessInfo process(int pid) { return target == null ? null : target.process(pid); }

    @Override
    public int[] threads(int pid) { return target == null ? new int[0] : target.threads(pid); }

    @Override
    public int[] fds(int pid) { return target == null ? new int[0] : target.fds(pid); }

    @Override
    public FileDescription fd(int pid, int fd) { return target == null ? null : target.fd(pid, fd); }

    @Override
    public boolean closeOnExec(int pid, int fd) { return target != null && target.closeOnExec(pid, fd); }

    @Override
    public FsContext fs(int pid) { return target == null ? null : target.fs(pid); }

    @Override
    public SystemInfo system() {
        if (target != null) return target.system();
        return new SystemInfo(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "popek", "(none)", "6.1.0-popek", "#1");
    }

    @Override
    public void setName(boolean host, String name) {
        if (target != null) target.setName(host, name);
    }
}
