package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.kernel.NamespaceChanges;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.ns.Namespace;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.PathFile;
import popek.linux.vfs.VfsFile;
import popek.linux.vfs.nsfs.NsFs;

import static popek.linux.abi.SyscallNumbers.SETNS;
import static popek.linux.abi.SyscallNumbers.UNSHARE;

/**
 * Namespaces: unshare(2) (and the other parts of a task's context it unshares: descriptors, file-system context) and
 * setns(2) with a descriptor of an nsfs file (/proc/[pid]/ns/KIND opened, or a bind mount of one). clone's CLONE_NEW*
 * flags are served with clone. A pidfd is not a namespace handle here: Popek makes no pidfds.
 */
final class NamespaceCalls implements SyscallFamily {
    @Override
    public void register(SyscallTable t) {
        t.register(UNSHARE, (task, a) -> NamespaceChanges.unshare(task, a.a0));
        t.register(SETNS, (task, a) -> setns(task, a.a0, a.a1));
    }

    private static int setns(Task t, int fd, int nstype) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        Namespace ns = f instanceof VfsFile v && !(f instanceof PathFile) ? NsFs.namespaceOf(v.inode()) : null;
        if (ns == null) return -Errno.EINVAL;
        return NamespaceChanges.setns(t, ns, nstype);
    }
}
