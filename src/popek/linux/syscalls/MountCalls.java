package popek.linux.syscalls;

import java.nio.charset.StandardCharsets;

import popek.linux.abi.Errno;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.vfs.DirEntry;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.Location;
import popek.linux.vfs.Mount;
import popek.linux.vfs.MountNamespace;

import static popek.linux.abi.SyscallNumbers.MOUNT;
import static popek.linux.abi.SyscallNumbers.UMOUNT;
import static popek.linux.abi.SyscallNumbers.UMOUNT2;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * mount and umount2 in the caller's mount namespace, for root: new tmpfs, proc and devpts mounts, bind mounts,
 * remounts that change a mount's flags (read-only, nosuid, nodev, noexec); propagation changes (of a mount's root)
 * are accepted and change nothing (Popek's mount namespaces are copied private and share no mounts). MS_MOVE is not
 * supported (EINVAL). Root here is CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace.
 */
final class MountCalls implements SyscallFamily {
    static final int MNT_FORCE = 1, MNT_DETACH = 2, MNT_EXPIRE = 4, UMOUNT_NOFOLLOW = 8;
    private static final int PROPAGATION = Mount.MS_SHARED | Mount.MS_PRIVATE | Mount.MS_SLAVE | (1 << 17);

    @Override
    public void register(SyscallTable t) {
        t.register(MOUNT, (task, a) -> mount(task, a.a0, a.a1, a.a2, a.a3, a.a4));
        t.register(UMOUNT, (task, a) -> umount(task, a.a0, 0));
        t.register(UMOUNT2, (task, a) -> umount(task, a.a0, a.a1));
    }

    private static String string(Task t, int addr) {
        if (addr == 0) return null;
        return new String(t.memory().readBytesZ(u(addr), 4095), StandardCharsets.ISO_8859_1);
    }

    /** may_mount: CAP_SYS_ADMIN in the user namespace owning the caller's mount namespace. */
    private static boolean mayMount(Task t) { return t.credentials().capable(((Location) t.fs().root()).mount().namespace().owner()); }

    private static int mount(Task t, int sourceAddr, int targetAddr, int typeAddr, int flags, int dataAddr) {
        if (!mayMount(t)) return -Errno.EPERM;
        Location target = FileArgs.lookup(t, targetAddr, true);
        MountNamespace ns = ((Location) t.fs().root()).mount().namespace();
        if (target.mount().namespace() != ns) return -Errno.EINVAL;
        if ((flags & Mount.MS_REMOUNT) != 0) {
            if (!target.atMountRoot()) return -Errno.EINVAL;
            ns.setFlags(target.mount(), flags);
            return 0;
        }
        if ((flags & Mount.MS_BIND) != 0) {
            Location source = FileArgs.lookup(t, sourceAddr, true);
            if (source.inode().isDirectory() != target.inode().isDirectory()) return -Errno.ENOTDIR;
            ns.mount(target, source.mount().fs(), source.entry(), flags);
            return 0;
        }
        if ((flags & PROPAGATION) != 0) return target.atMountRoot() ? 0 : -Errno.EINVAL;   // only a mount's root has a propagation
        if ((flags & Mount.MS_MOVE) != 0) return -Errno.EINVAL;
        if (!target.inode().isDirectory()) return -Errno.ENOTDIR;
        String type = string(t, typeAddr);
        if (type == null) return -Errno.EINVAL;
        FileSystem fs = FileArgs.vfs(t).special().newFileSystem(t, type, string(t, sourceAddr), string(t, dataAddr));
        ns.mount(target, fs, new DirEntry(fs.root()), flags);
        return 0;
    }

    private static int umount(Task t, int targetAddr, int flags) {
        if ((flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW)) != 0) return -Errno.EINVAL;
        if (!mayMount(t)) return -Errno.EPERM;
        Location target = FileArgs.lookup(t, targetAddr, (flags & UMOUNT_NOFOLLOW) == 0);
        if (!target.atMountRoot()) return -Errno.EINVAL;
        target.mount().namespace().unmount(target.mount(), (flags & MNT_DETACH) != 0);
        return 0;
    }
}
