package popek.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An image's files as a container would see them, read from its unpacked layers (the top one first) on the host
 * without running anything: a name is the top layer's that has it, a whiteout hides it below, an opaque directory
 * hides the lower ones' entries. No symbolic link is followed (a build only asks about /etc/passwd, /etc/group and
 * whether a destination is a directory).
 */
public final class RootfsView {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** A file's attributes as the image has them. */
    public record Attributes(int mode, int uid, int gid, long mtimeSeconds) {
        public boolean isDirectory() { return (mode & 0170000) == 0040000; }
    }

    private final List<Path> layers;

    public RootfsView(List<Path> layers) { this.layers = List.copyOf(layers); }

    /** The host path of {@code path} (absolute, in the image) in the layer that shows it, or null if none does. */
    public Path find(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) if (!p.isEmpty() && !p.equals(".")) parts.add(p);
        if (parts.isEmpty()) return layers.isEmpty() ? null : layers.getFirst();
        List<Path> dirs = new ArrayList<>(layers);
        for (int k = 0; k < parts.size(); k++) {
            String name = parts.get(k);
            List<Path> next = new ArrayList<>();
            for (Path d : dirs) {
                if (Files.exists(d.resolve(".wh." + name), NOFOLLOW)) break;
                Path p = d.resolve(name);
                if (!Files.exists(p, NOFOLLOW)) continue;
                if (!Files.isDirectory(p, NOFOLLOW)) {
                    if (next.isEmpty() && k == parts.size() - 1) return p;
                    break;
                }
                next.add(p);
                if (Files.exists(p.resolve(".wh..wh..opq"), NOFOLLOW)) break;
            }
            if (next.isEmpty()) return null;
            dirs = next;
        }
        return dirs.getFirst();
    }

    /** {@code path}'s attributes (a host user's files shown as root's, as the container shows them), or null. */
    public Attributes attributes(String path) throws IOException {
        Path p = find(path);
        if (p == null) return null;
        Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid,lastModifiedTime", NOFOLLOW);
        return new Attributes((Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"),
                ((FileTime) a.get("lastModifiedTime")).toInstant().getEpochSecond());
    }

    /** The text of regular file {@code path}, or null if the image has none there. */
    public String read(String path) throws IOException {
        Path p = find(path);
        if (p == null || !Files.isRegularFile(p, NOFOLLOW)) return null;
        return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
