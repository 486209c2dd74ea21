package popek.image;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A host directory written as a layer, entry by entry in name order: directories, files, symbolic links (as text),
 * hard links (a file's later names link to its first), with their modes, owners (the host user running Popek
 * written as root, as popek.linux.vfs.host.HostLayer shows it) and modification times. Device nodes and FIFOs are
 * written with their numbers.
 */
public final class DirectoryLayer {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final LayerWriter out;
    private final int hostUid, hostGid;
    private final Map<Object, String> firstNames = new HashMap<>();

    public DirectoryLayer(LayerWriter out) throws IOException {
        this.out = out;
        Path self = Path.of("/proc/self");
        this.hostUid = (Integer) Files.getAttribute(self, "unix:uid");
        this.hostGid = (Integer) Files.getAttribute(self, "unix:gid");
    }

    /** Writes the contents of {@code dir} (not {@code dir} itself) under {@code prefix} ("" or "a/b/"). */
    public void write(Path dir, String prefix) throws IOException {
        List<Path> children;
        try (var s = Files.list(dir)) {
            children = s.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        for (Path p : children) {
            String name = prefix + p.getFileName();
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,nlink,rdev,size,lastModifiedTime,fileKey", NOFOLLOW);
            int mode = (Integer) a.get("mode"), type = mode & 0170000;
            int uid = (Integer) a.get("uid") == hostUid ? 0 : (Integer) a.get("uid");
            int gid = (Integer) a.get("gid") == hostGid ? 0 : (Integer) a.get("gid");
            long mtime = ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond();
            switch (type) {
                case 0040000 -> {
                    out.directory(name, mode, uid, gid, mtime);
                    write(p, name + "/");
                }
                case 0120000 -> out.symlink(name, Files.readSymbolicLink(p).toString(), uid, gid, mtime);
                case 0100000 -> {
                    Object key = a.get("fileKey");
                    String first = (Integer) a.get("nlink") > 1 && key != null ? firstNames.putIfAbsent(key, name) : null;
                    if (first != null) {
                        out.hardlink(name, first, mode, uid, gid, mtime);
                    } else {
                        try (InputStream in = Files.newInputStream(p, NOFOLLOW)) {
                            out.file(name, mode, uid, gid, mtime, (Long) a.get("size"), in);
                        }
                    }
                }
                default -> {
                    long rdev = (Long) a.get("rdev");
                    out.special(name, type, mode, (int) ((rdev >> 8) & 0xfff), (int) ((rdev & 0xff) | ((rdev >> 12) & 0xfff00)), uid, gid, mtime);
                }
            }
        }
    }
}
