package popek.linux.vfs.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;
import popek.linux.vfs.Dentry;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.Vfs;

/**
 * A placeholder file tree: a host directory shown read-only as the container's root, with lookups (symlinks
 * included) confined to it. It lets the kernel run programs before the real VFS (overlay root, tmpfs, /proc, /dev)
 * lands; that VFS replaces it.
 */
public final class HostFs implements Vfs {
    /** Linux follows at most 40 symbolic links in one lookup. */
    private static final int MAX_LINKS = 40;

    private final Path root;
    private final HostDentry rootDentry;

    public HostFs(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.rootDentry = new HostDentry("/");
    }

    /** A path inside the container, kept as its absolute text. */
    record HostDentry(String absolutePath) implements Dentry { }

    Path hostPath(String containerPath) {
        return containerPath.equals("/") ? root : root.resolve(containerPath.substring(1));
    }

    @Override
    public Dentry root() { return rootDentry; }

    /**
     * Resolves {@code path} from {@code base} to an absolute container path, following symlinks (the last one only
     * when {@code followLast}) without ever leaving the root: ".." at the root stays there, and a link's target is
     * read as a path inside the container.
     */
    String resolve(Dentry base, String path, boolean followLast) {
        if (path.isEmpty()) throw Errno.error(Errno.ENOENT);
        if (path.length() >= FileFlags.PATH_MAX) throw Errno.error(Errno.ENAMETOOLONG);
        ArrayDeque<String> todo = new ArrayDeque<>(split(path));
        List<String> done = new ArrayList<>();
        if (!path.startsWith("/")) done.addAll(split(base.absolutePath()));
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals(".")) continue;
            if (c.equals("..")) {
                if (!done.isEmpty()) done.remove(done.size() - 1);
                continue;
            }
            if (c.length() > 255) throw Errno.error(Errno.ENAMETOOLONG);
            done.add(c);
            Path p = hostPath(join(done));
            boolean last = todo.isEmpty();
            if (Files.isSymbolicLink(p) && (!last || followLast)) {
                if (++links > MAX_LINKS) throw Errno.error(Errno.ELOOP);
                String target;
                try {
                    target = Files.readSymbolicLink(p).toString();
                } catch (IOException e) {
                    throw Errno.error(Errno.EIO);
                }
                done.remove(done.size() - 1);
                if (target.startsWith("/")) done.clear();
                List<String> t = split(target);
                for (int i = t.size() - 1; i >= 0; i--) todo.addFirst(t.get(i));
                continue;
            }
            if (!last) {
                if (done.size() == 1 && c.equals("dev")) continue;   // the placeholder /dev exists whatever the host has
                if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) throw Errno.error(Errno.ENOENT);
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) throw Errno.error(Errno.ENOTDIR);
            }
        }
        return join(done);
    }

    private static List<String> split(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/")) if (!s.isEmpty()) out.add(s);
        return out;
    }

    private static String join(List<String> parts) { return parts.isEmpty() ? "/" : "/" + String.join("/", parts); }

    /** The placeholder /dev: Linux's memory devices, whatever the host directory holds there. */
    private static DeviceFile.Kind device(String abs) {
        return abs.startsWith("/dev/") && abs.indexOf('/', 5) < 0 ? DeviceFile.Kind.of(abs.substring(5)) : null;
    }

    @Override
    public FileDescription open(FsContext fs, Dentry base, String path, int flags, int mode, Credentials creds) {
        String abs = resolve(path.startsWith("/") ? fs.root() : base, path, (flags & FileFlags.O_NOFOLLOW) == 0);
        DeviceFile.Kind dev = device(abs);
        if (dev != null) return new DeviceFile(dev, flags);
        Path p = hostPath(abs);
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            throw Errno.error((flags & FileFlags.O_CREAT) != 0 ? Errno.EROFS : Errno.ENOENT);
        }
        if (Files.isSymbolicLink(p)) throw Errno.error(Errno.ELOOP);
        if ((flags & FileFlags.O_ACCMODE) != FileFlags.O_RDONLY || (flags & FileFlags.O_TRUNC) != 0) throw Errno.error(Errno.EROFS);
        if ((flags & FileFlags.O_CREAT) != 0 && (flags & FileFlags.O_EXCL) != 0) throw Errno.error(Errno.EEXIST);
        if (Files.isDirectory(p)) return new HostDirectory(this, abs, p, flags);
        if ((flags & FileFlags.O_DIRECTORY) != 0) throw Errno.error(Errno.ENOTDIR);
        if (!Files.isRegularFile(p)) throw Errno.error(Errno.EACCES);
        return new HostRegularFile(abs, p, flags);
    }

    @Override
    public void stat(FsContext fs, Dentry base, String path, boolean follow, Credentials creds, StatBuf out) {
        String abs = resolve(path.startsWith("/") ? fs.root() : base, path, follow);
        DeviceFile.Kind dev = device(abs);
        if (dev != null) {
            new DeviceFile(dev, 0).stat(null, out);
            return;
        }
        stat(hostPath(abs), out);
    }

    @Override
    public Dentry directory(FsContext fs, Dentry base, String path, Credentials creds) {
        String abs = resolve(path.startsWith("/") ? fs.root() : base, path, true);
        Path p = hostPath(abs);
        if (!Files.exists(p)) throw Errno.error(Errno.ENOENT);
        if (!Files.isDirectory(p)) throw Errno.error(Errno.ENOTDIR);
        return new HostDentry(abs);
    }

    /** The link's target text (readlink). */
    public String readlink(FsContext fs, Dentry base, String path) {
        String abs = resolve(path.startsWith("/") ? fs.root() : base, path, false);
        Path p = hostPath(abs);
        if (!Files.isSymbolicLink(p)) throw Errno.error(Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? Errno.EINVAL : Errno.ENOENT);
        try {
            return Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
            throw Errno.error(Errno.EIO);
        }
    }

    /** stat of a host path (not following a final symlink), as the container sees it: owned by root. */
    static void stat(Path p, StatBuf out) {
        out.clear();
        try {
            PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            int type = a.isSymbolicLink() ? FileFlags.S_IFLNK : a.isDirectory() ? FileFlags.S_IFDIR
                    : a.isRegularFile() ? FileFlags.S_IFREG : a.isOther() ? FileFlags.S_IFCHR : FileFlags.S_IFREG;
            int perms = 0;
            for (var perm : a.permissions()) perms |= 1 << (8 - perm.ordinal());
            Object mode = Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            out.mode = mode instanceof Integer m ? m : type | perms;
            Object ino = Files.getAttribute(p, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            out.ino = ino instanceof Long l ? l : 1;
            Object nlink = Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
            out.nlink = nlink instanceof Integer n ? n : 1;
            out.dev = 0x801;
            out.size = a.size();
            out.blocks = (a.size() + 511) / 512;
            long mt = a.lastModifiedTime().toMillis();
            out.mtimeSec = out.atimeSec = out.ctimeSec = mt / 1000;
            out.mtimeNsec = out.atimeNsec = out.ctimeNsec = (int) (mt % 1000) * 1_000_000;
            out.uid = 0;
            out.gid = 0;
        } catch (NoSuchFileException e) {
            throw Errno.error(Errno.ENOENT);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            throw Errno.error(Errno.EIO);
        }
    }
}
