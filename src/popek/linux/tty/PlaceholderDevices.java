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
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.Vfs;

/**
 * Until the VFS's own /dev opens the terminals (see /work/helpers/tty-vfs.md): the nodes /dev/tty, /dev/console,
 * /dev/ptmx and /dev/pts/{ptmx,N} over the placeholder file tree, for stat (a Vfs wrapper) and open/openat (handlers
 * that reach {@link Terminals#open} with the calling task and hand every other path to the tree). Paths are matched
 * after "." and ".." are resolved, without following symbolic links. Drop this class when the VFS lands.
 */
public final class PlaceholderDevices implements Vfs {
    private final Vfs inner;
    private Terminals terminals;

    private PlaceholderDevices(Vfs inner) { this.inner = inner; }

    /** A device node: numbers, permission bits, owner, inode number. */
    private record Node(int major, int minor, int mode, int uid, int gid, long ino) { }

    /** {@code inner} with terminal nodes in /dev; open/openat in {@code table} reach them once {@link #connect}ed. */
    public static PlaceholderDevices install(Vfs inner, SyscallTable table) {
        PlaceholderDevices d = new PlaceholderDevices(inner);
        table.register(SyscallNumbers.OPEN, (task, a) -> d.open(task, FileFlags.AT_FDCWD, a.a0, a.a1, a.a2));
        table.register(SyscallNumbers.OPENAT, (task, a) -> d.open(task, a.a0, a.a1, a.a2, a.a3));
        return d;
    }

    /** The terminals whose nodes these are (made after the kernel). */
    public void connect(Terminals t) { terminals = t; }

    /** The device node at {@code path}; null when it is not one of them. */
    private Node node(Dentry base, String path) {
        if (terminals == null) return null;
        String p = normalize(path.startsWith("/") ? path : base.absolutePath() + "/" + path);
        switch (p) {
            case "/dev/tty" -> { return new Node(Terminals.TTYAUX_MAJOR, Terminals.TTY_MINOR, 0666, 0, 0, 10); }
            case "/dev/console" -> { return new Node(Terminals.TTYAUX_MAJOR, Terminals.CONSOLE_MINOR, 0620, 0, 0, 11); }
            case "/dev/ptmx", "/dev/pts/ptmx" -> { return new Node(Terminals.TTYAUX_MAJOR, Terminals.PTMX_MINOR, 0666, 0, 0, 2); }
            default -> { }
        }
        if (!p.startsWith("/dev/pts/")) return null;
        String name = p.substring(9);
        int index = -1;
        if (!name.isEmpty() && name.length() < 5 && name.chars().allMatch(c -> c >= '0' && c <= '9')) index = Integer.parseInt(name);
        int owner = index < 0 || !name.equals(Integer.toString(index)) ? -1 : terminals.owner(index);
        if (owner < 0) throw Errno.error(Errno.ENOENT);
        return new Node(Terminals.PTS_MAJOR, index, 0620, owner, Terminals.TTY_GID, index + 3);
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
        Node n = node(base, path);
        FileDescription f;
        if (n != null) {
            if ((flags & FileFlags.O_DIRECTORY) != 0) return -Errno.ENOTDIR;
            if ((flags & (FileFlags.O_CREAT | FileFlags.O_EXCL)) == (FileFlags.O_CREAT | FileFlags.O_EXCL)) return -Errno.EEXIST;
            f = terminals.open(t, n.major(), n.minor(), flags, null);
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
        if (p.equals("/dev/pts") && terminals != null) {
            out.clear();
            out.mode = FileFlags.S_IFDIR | 0755;
            out.nlink = 2;
            out.ino = 1;
            out.dev = Terminals.DEVPTS_DEV;
            return;
        }
        Node n = node(base, path);
        if (n == null) {
            inner.stat(fs, base, path, follow, creds, out);
            return;
        }
        out.clear();
        out.mode = FileFlags.S_IFCHR | n.mode();
        out.rdev = Terminals.rdev(n.major(), n.minor());
        out.uid = n.uid();
        out.gid = n.gid();
        out.ino = n.ino();
        out.dev = p.startsWith("/dev/pts/") ? Terminals.DEVPTS_DEV : Terminals.rdev(0, 5);
        out.nlink = 1;
        out.blksize = 1024;
    }

    @Override
    public Dentry directory(FsContext fs, Dentry base, String path, Credentials creds) {
        return inner.directory(fs, base, path, creds);
    }
}
