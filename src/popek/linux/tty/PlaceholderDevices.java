package popek.linux.tty;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.abi.SyscallNumbers;
import popek.linux.auth.Credentials;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.vfs.Dentry;
import popek.linux.vfs.DeviceDirectory;
import popek.linux.vfs.DeviceRegistry;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.Vfs;

/**
 * Until the VFS's own /dev serves the {@link DeviceRegistry} (see /work/helpers/tty-vfs.md): the terminal nodes
 * /dev/tty, /dev/console, /dev/ptmx and /dev/pts/{ptmx,N} over the placeholder file tree, for stat (a Vfs wrapper) and
 * open/openat (handlers that reach the devices with the calling task and hand every other path to the tree).
 * Paths are matched after "." and ".." are resolved, without following symbolic links. Drop this class when the VFS
 * lands.
 */
public final class PlaceholderDevices implements Vfs {
    private final Vfs inner;
    private final DeviceRegistry devices;

    private PlaceholderDevices(Vfs inner, DeviceRegistry devices) {
        this.inner = inner;
        this.devices = devices;
    }

    /** {@code inner} with the terminal nodes of {@code devices} in /dev; open/openat in {@code table} reach them. */
    public static Vfs install(Vfs inner, DeviceRegistry devices, SyscallTable table) {
        PlaceholderDevices d = new PlaceholderDevices(inner, devices);
        table.register(SyscallNumbers.OPEN, (task, a) -> d.open(task, FileFlags.AT_FDCWD, a.a0, a.a1, a.a2));
        table.register(SyscallNumbers.OPENAT, (task, a) -> d.open(task, a.a0, a.a1, a.a2, a.a3));
        return d;
    }

    /** A device node: numbers and permission bits; null when {@code path} is not one of them. */
    private DeviceDirectory.Node node(Dentry base, String path) {
        String p = normalize(path.startsWith("/") ? path : base.absolutePath() + "/" + path);
        switch (p) {
            case "/dev/tty" -> { return new DeviceDirectory.Node("tty", Terminals.TTYAUX_MAJOR, Terminals.TTY_MINOR, 0666, 0, 0, 10); }
            case "/dev/console" -> { return new DeviceDirectory.Node("console", Terminals.TTYAUX_MAJOR, Terminals.CONSOLE_MINOR, 0620, 0, 0, 11); }
            case "/dev/ptmx" -> { return new DeviceDirectory.Node("ptmx", Terminals.TTYAUX_MAJOR, Terminals.PTMX_MINOR, 0666, 0, 0, 12); }
            default -> { }
        }
        DeviceDirectory pts = devices.directory("pts");
        if (pts == null || !p.startsWith("/dev/pts/")) return null;
        DeviceDirectory.Node n = pts.lookup(p.substring(9));
        if (n == null) throw Errno.error(Errno.ENOENT);
        return n;
    }

    private static String normalize(String path) {
        ArrayDeque<String> parts = new ArrayDeque<>();
        for (String c : path.split("/")) {
            if (c.isEmpty() || c.equals(".")) continue;
            if (c.equals("..")) parts.pollLast();
            else parts.addLast(c);
        }
        return "/" + String.join("/", parts);
    }

    private int open(Task t, int dirfd, int pathAddr, int flags, int mode) {
        byte[] raw = t.memory().readBytesZ(pathAddr & 0xFFFFFFFFL, FileFlags.PATH_MAX - 1);
        if (raw.length == 0) return -Errno.ENOENT;
        String path = new String(raw, StandardCharsets.ISO_8859_1);
        Dentry base;
        if (path.startsWith("/") || dirfd == FileFlags.AT_FDCWD) {
            base = t.fs().cwd();
        } else {
            FileDescription d = t.fds().get(dirfd);
            if (d == null) return -Errno.EBADF;
            base = d.dentry();
            if (base == null) return -Errno.ENOTDIR;
        }
        DeviceDirectory.Node n = node(base, path);
        FileDescription f;
        if (n != null) {
            if ((flags & FileFlags.O_DIRECTORY) != 0) return -Errno.ENOTDIR;
            if ((flags & (FileFlags.O_CREAT | FileFlags.O_EXCL)) == (FileFlags.O_CREAT | FileFlags.O_EXCL)) return -Errno.EEXIST;
            f = devices.open(t, n.major(), n.minor(), flags);
        } else {
            f = inner.open(t.fs(), base, path, flags, mode & ~t.fs().umask(), t.credentials());
        }
        int fd = t.fds().install(f, 0, (flags & FileFlags.O_CLOEXEC) != 0);
        if (fd < 0) f.close();
        return fd;
    }

    // ---------------------------------------------------------------- Vfs

    @Override
    public Dentry root() { return inner.root(); }

    @Override
    public FileDescription open(FsContext fs, Dentry base, String path, int flags, int mode, Credentials creds) {
        if (node(base, path) != null) throw Errno.error(Errno.EACCES);   // the kernel never execs a device
        return inner.open(fs, base, path, flags, mode, creds);
    }

    @Override
    public void stat(FsContext fs, Dentry base, String path, boolean follow, Credentials creds, StatBuf out) {
        String p = normalize(path.startsWith("/") ? path : base.absolutePath() + "/" + path);
        if (p.equals("/dev/pts") && devices.directory("pts") != null) {
            out.clear();
            out.mode = FileFlags.S_IFDIR | 0755;
            out.nlink = 2;
            out.ino = 1;
            out.dev = Terminals.DEVPTS_DEV;
            return;
        }
        DeviceDirectory.Node n = node(base, path);
        if (n == null) {
            inner.stat(fs, base, path, follow, creds, out);
            return;
        }
        out.clear();
        out.mode = FileFlags.S_IFCHR | n.mode();
        out.rdev = DeviceRegistry.rdev(n.major(), n.minor());
        out.uid = n.uid();
        out.gid = n.gid();
        out.ino = n.ino();
        out.dev = p.startsWith("/dev/pts/") ? Terminals.DEVPTS_DEV : DeviceRegistry.rdev(0, 5);
        out.nlink = 1;
        out.blksize = 1024;
    }

    @Override
    public Dentry directory(FsContext fs, Dentry base, String path, Credentials creds) {
        return inner.directory(fs, base, path, creds);
    }
}
