package popek.image.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import popek.image.LayerWriter;
import popek.linux.vfs.DeviceNumbers;
import popek.linux.vfs.tmpfs.MemDirectory;
import popek.linux.vfs.tmpfs.MemFile;
import popek.linux.vfs.tmpfs.MemInode;
import popek.linux.vfs.tmpfs.MemNode;
import popek.linux.vfs.tmpfs.MemSymlink;

/**
 * What a RUN step changed, written as a layer: the container's upper layer as it is, since Popek's overlay already
 * keeps it in the OCI changeset form (new and copied-up files and directories with their attributes, whiteouts
 * {@code .wh.NAME} for removed names, {@code .wh..wh..opq} in a directory made again over a removed one). Hard links
 * stay links (the upper layer's one inode under two names); the directories the container's set-up made to mount on
 * are left out when still empty, as Docker's init layer keeps them out of a commit.
 */
final class StepChanges {
    private final LayerWriter out;
    private final Set<String> mountPoints;
    private final Map<MemInode, String> firstNames = new IdentityHashMap<>();

    private StepChanges(LayerWriter out, List<String> mountPoints) {
        this.out = out;
        this.mountPoints = Set.copyOf(mountPoints);
    }

    /** Writes the changes in {@code upper} to {@code out}; returns how many entries there were. */
    static int write(MemDirectory upper, List<String> mountPoints, LayerWriter out) throws IOException {
        StepChanges c = new StepChanges(out, mountPoints);
        c.directory(upper, "");
        return out.entries();
    }

    private void directory(MemDirectory dir, String prefix) throws IOException {
        List<String> names = new ArrayList<>(dir.names());
        names.sort(null);
        for (String name : names) {
            MemInode i = dir.get(name);
            if (i == null) continue;
            String path = prefix + host(name);
            long mtime = i.mtime() / 1_000_000_000L;
            switch (i) {
                case MemDirectory d -> {
                    if (d.isEmpty() && mountPoints.contains("/" + path)) continue;
                    out.directory(path, d.mode(), d.uid(), d.gid(), mtime);
                    directory(d, path + "/");
                }
                case MemSymlink l -> out.symlink(path, host(l.readlink()), l.uid(), l.gid(), mtime);
                case MemFile f -> {
                    String first = f.nlink() > 1 ? firstNames.putIfAbsent(f, path) : null;
                    if (first != null) out.hardlink(path, first, f.mode(), f.uid(), f.gid(), mtime);
                    else out.file(path, f.mode(), f.uid(), f.gid(), mtime, f.size(), new MemFileStream(f));
                }
                case MemNode n -> out.special(path, n.mode() & 0170000, n.mode(), DeviceNumbers.major(n.rdev()), DeviceNumbers.minor(n.rdev()),
                        n.uid(), n.gid(), mtime);
                default -> throw new IOException("an unknown kind of file in the container's layer: /" + path);
            }
        }
    }

    /** A container's name (bytes, one char each) as the tar's UTF-8 text. */
    private static String host(String name) {
        for (int k = 0; k < name.length(); k++) {
            if (name.charAt(k) >= 0x80) return new String(name.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        }
        return name;
    }

    /** A tmpfs file's bytes as a stream. */
    private static final class MemFileStream extends InputStream {
        private final MemFile f;
        private long at;

        MemFileStream(MemFile f) { this.f = f; }

        @Override
        public int read() {
            byte[] b = new byte[1];
            return read(b, 0, 1) <= 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = f.readBytes(at, b, off, len);
            if (n <= 0) return -1;
            at += n;
            return n;
        }
    }
}
