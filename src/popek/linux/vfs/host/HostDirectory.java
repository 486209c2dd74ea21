package popek.linux.vfs.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.Caller;
import popek.linux.vfs.Dentry;
import popek.linux.vfs.DirentSink;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;

/** A host directory opened for reading its entries ("." and ".." first, then the names in the host's order). */
final class HostDirectory extends FileDescription {
    private final String path;
    private final Path host;
    private List<String> names;
    private long offset;

    HostDirectory(HostFs fs, String path, Path host, int flags) {
        super(flags);
        this.path = path;
        this.host = host;
    }

    private List<String> names() {
        if (names == null) {
            names = new ArrayList<>();
            names.add(".");
            names.add("..");
            try (DirectoryStream<Path> s = Files.newDirectoryStream(host)) {
                for (Path p : s) names.add(p.getFileName().toString());
            } catch (IOException e) {
                throw Errno.error(Errno.EIO);
            }
        }
        return names;
    }

    @Override
    public int getdents(Caller c, DirentSink out) {
        List<String> n = names();
        int added = 0;
        StatBuf st = new StatBuf();
        while (offset < n.size()) {
            String name = n.get((int) offset);
            Path p = name.equals(".") ? host : name.equals("..") ? host.getParent() : host.resolve(name);
            long ino = 1;
            int type = DirentSink.DT_UNKNOWN;
            try {
                HostFs.stat(p == null ? host : p, st);
                ino = st.ino;
                type = switch (st.mode & FileFlags.S_IFMT) {
                    case FileFlags.S_IFDIR -> DirentSink.DT_DIR;
                    case FileFlags.S_IFREG -> DirentSink.DT_REG;
                    case FileFlags.S_IFLNK -> DirentSink.DT_LNK;
                    case FileFlags.S_IFCHR -> DirentSink.DT_CHR;
                    case FileFlags.S_IFIFO -> DirentSink.DT_FIFO;
                    default -> DirentSink.DT_UNKNOWN;
                };
            } catch (popek.linux.abi.SyscallException ignored) {
                // vanished since listed: still reported, as its type unknown
            }
            if (!out.add(ino, offset + 1, type, name)) break;
            offset++;
            added++;
        }
        return added;
    }

    @Override
    public long seek(Caller c, long off, int whence) {
        if (whence != FileFlags.SEEK_SET || off < 0) return -Errno.EINVAL;
        offset = off;
        if (off == 0) names = null;
        return off;
    }

    @Override
    public int read(Caller c, popek.linux.mm.UserBuffer dst) { return -Errno.EISDIR; }

    @Override
    public int stat(Caller c, StatBuf out) {
        HostFs.stat(host, out);
        return 0;
    }

    @Override
    public Dentry dentry() { return new HostFs.HostDentry(path); }

    @Override
    public String path() { return path; }

    static boolean exists(Path p) { return Files.exists(p, LinkOption.NOFOLLOW_LINKS); }
}
