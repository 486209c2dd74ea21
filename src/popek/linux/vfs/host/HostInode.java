package popek.linux.vfs.host;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.DirectoryFile;
import popek.linux.vfs.FileData;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatBuf;

/**
 * A file of a host layer: its attributes read once with lstat (the layer never changes), a directory's entries
 * listed once in the host's order, a link's target read as text. Children are only ever names from the host's own
 * listing of a directory that lstat showed is a real directory, so a path built here never leaves the layer.
 */
final class HostInode extends Inode {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private record HostKey(long dev, long ino) { }

    private final HostLayer layer;
    private final Path path;
    private boolean loaded;
    private int mode, uid, gid, nlink;
    private long ino, size, rdev, atime, mtime, ctime;
    private Map<String, HostInode> children;
    private FileChannel mapChannel;

    HostInode(HostLayer layer, Path path) {
        super(layer);
        this.layer = layer;
        this.path = path;
    }

    Path hostPath() { return path; }

    private synchronized void load() {
        if (loaded) return;
        try {
            Map<String, Object> a = Files.readAttributes(path, "unix:mode,ino,dev,nlink,uid,gid,size,rdev,lastAccessTime,lastModifiedTime,ctime", NOFOLLOW);
            mode = (Integer) a.get("mode");
            uid = layer.mapUid((Integer) a.get("uid"));
            gid = layer.mapGid((Integer) a.get("gid"));
            nlink = (Integer) a.get("nlink");
            size = (Long) a.get("size");
            rdev = (Long) a.get("rdev");
            ino = layer.number(new HostKey((Long) a.get("dev"), (Long) a.get("ino")));
            atime = nanos(a.get("lastAccessTime"));
            mtime = nanos(a.get("lastModifiedTime"));
            ctime = nanos(a.get("ctime"));
            loaded = true;
        } catch (NoSuchFileException e) {
            throw Errno.error(Errno.ENOENT);
        } catch (IOException | RuntimeException e) {
            throw Errno.error(Errno.EIO);
        }
    }

    private static long nanos(Object t) { return t instanceof FileTime f ? f.to(TimeUnit.NANOSECONDS) : 0; }

    @Override
    public long ino() {
        load();
        return ino;
    }

    @Override
    public int mode() {
        load();
        return mode;
    }

    @Override
    public int uid() {
        load();
        return uid;
    }

    @Override
    public int gid() {
        load();
        return gid;
    }

    @Override
    public int rdev() {
        load();
        return (int) rdev;
    }

    long size() {
        load();
        return size;
    }

    @Override
    public void stat(StatBuf out) {
        load();
        out.clear();
        out.dev = fs.dev();
        out.ino = ino;
        out.mode = mode;
        out.nlink = nlink;
        out.uid = uid;
        out.gid = gid;
        out.rdev = rdev;
        out.size = size;
        out.blocks = blocks();
        out.times(atime, mtime, ctime);
    }

    /**
     * 512-byte blocks, as a host file system of 4 KiB blocks would allocate them (NIO does not report st_blocks): a
     * short symbolic link lives in its inode (none), anything else takes whole blocks.
     */
    private long blocks() {
        if ((mode & FileFlags.S_IFMT) == FileFlags.S_IFLNK && size < 60) return 0;
        return (size + 4095) / 4096 * 8;
    }

    /** Times in ns (an overlay's copy-up keeps them). */
    long atime() {
        load();
        return atime;
    }

    long mtime() {
        load();
        return mtime;
    }

    private synchronized Map<String, HostInode> children() {
        if (children != null) return children;
        if (!isDirectory()) throw Errno.error(Errno.ENOTDIR);
        Map<String, HostInode> m = new LinkedHashMap<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(path)) {
            for (Path p : s) m.put(HostNames.toContainer(p.getFileName().toString()), new HostInode(layer, p));
        } catch (IOException e) {
            throw Errno.error(Errno.EIO);
        }
        children = m;
        return m;
    }

    @Override
    public Inode lookup(String name) { return children().get(name); }

    @Override
    public void list(List<Entry> out) {
        for (Map.Entry<String, HostInode> e : children().entrySet()) {
            HostInode c = e.getValue();
            try {
                out.add(new Entry(e.getKey(), c.ino(), DirectoryFile.direntType(c.mode())));
            } catch (popek.linux.abi.SyscallException gone) {
                // removed from the host layer behind Popek's back: not listed
            }
        }
    }

    @Override
    public String readlink() {
        if (!isSymlink()) throw Errno.error(Errno.EINVAL);
        try {
            return HostNames.toContainer(Files.readSymbolicLink(path).toString());
        } catch (IOException e) {
            throw Errno.error(Errno.EIO);
        }
    }

    @Override
    public FileData openData(int flags) {
        if ((flags & FileFlags.O_ACCMODE) != FileFlags.O_RDONLY) throw Errno.error(Errno.EROFS);
        try {
            return new HostFileData(this, FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw Errno.error(Errno.EACCES);
        }
    }

    /** A channel kept open for mmap's page reads (closed with the layer). */
    synchronized FileChannel mapChannel() throws IOException {
        if (mapChannel == null || !mapChannel.isOpen()) {
            mapChannel = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
            layer.keep(mapChannel);
        }
        return mapChannel;
    }

    /** The identity of this file's current contents for the page cache. */
    Object cacheKey() {
        load();
        return new HostMappable.Key(layer.directory(), ino, size, mtime);
    }
}
