package popek.image;

import java.io.IOException;
import java.io.InputStream;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a layer's tar into a host directory, for a container to run over (popek.linux.vfs.host.HostLayer): the
 * entries as they are, whiteouts ({@code .wh.NAME}) and opaque markers included, since Popek's overlay reads those in
 * lower layers as the OCI spec means them. Every name stays inside the directory: ".." is refused, and no entry is
 * written below a symbolic link (a link's target is text, never followed here). Owners are set when Popek may (it
 * runs as root); otherwise a file is the host user's, which the container sees as root's. Device nodes and FIFOs
 * cannot be made through Java NIO: they are counted ({@link #skipped}) and left out of the directory (the layer's
 * blob keeps them).
 */
public final class LayerUnpacker {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final Path root;
    private final List<TarArchiveEntry> dirs = new ArrayList<>();
    private boolean chownWorks = true;
    private int skipped;

    public LayerUnpacker(Path root) { this.root = root.toAbsolutePath().normalize(); }

    /** Device nodes and FIFOs not made. */
    public int skipped() { return skipped; }

    /** Unpacks the (possibly compressed) tar {@code raw}. */
    public void unpack(InputStream raw) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(TarStreams.decompressed(raw), "UTF-8")) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) entry(e, tar);
        }
        finishDirectories();
    }

    /** The entry's path below the root, or an IOException if it would leave it. */
    static String clean(String name) throws IOException {
        List<String> parts = new ArrayList<>();
        for (String p : name.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) throw new IOException("the entry '" + name + "' names a path outside the layer");
            parts.add(p);
        }
        return String.join("/", parts);
    }

    private Path place(String rel) throws IOException {
        Path p = root;
        String[] parts = rel.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            p = p.resolve(parts[i]);
            if (Files.isSymbolicLink(p) || (Files.exists(p, NOFOLLOW) && !Files.isDirectory(p, NOFOLLOW))) {
                throw new IOException("the entry '" + rel + "' is below '" + root.relativize(p) + "', which is not a directory");
            }
            if (!Files.exists(p, NOFOLLOW)) Files.createDirectory(p);
        }
        return p.resolve(parts[parts.length - 1]);
    }

    private void entry(TarArchiveEntry e, InputStream data) throws IOException {
        String rel = clean(e.getName());
        if (rel.isEmpty()) {   // the root itself ("./"): its attributes are the container's root's
            if (e.isDirectory()) dirs.add(e);
            return;
        }
        Path p = place(rel);
        boolean exists = Files.exists(p, NOFOLLOW);
        if (e.isDirectory()) {
            if (exists && !Files.isDirectory(p, NOFOLLOW)) Files.delete(p);
            if (!Files.isDirectory(p, NOFOLLOW)) Files.createDirectory(p);
            dirs.add(e);
            return;
        }
        if (exists) remove(p);
        if (e.isSymbolicLink()) {
            Files.createSymbolicLink(p, Path.of(e.getLinkName()));
            owner(p, e);
            times(p, e);
        } else if (e.isLink()) {
            Path target = root.resolve(clean(e.getLinkName()));
            if (!Files.isRegularFile(target, NOFOLLOW)) throw new IOException("the hard link '" + rel + "' names '" + e.getLinkName() + "', not a file of the layer");
            Files.createLink(p, target);
        } else if (e.isCharacterDevice() || e.isBlockDevice() || e.isFIFO()) {
            skipped++;
        } else if (e.isFile()) {
            Files.copy(data, p, StandardCopyOption.REPLACE_EXISTING);
            owner(p, e);
            Files.setAttribute(p, "unix:mode", e.getMode() & 07777, NOFOLLOW);
            times(p, e);
        }
        // other types (pax globals, sparse GNU entries of unknown meaning) carry no file
    }

    private static void remove(Path p) throws IOException {
        if (Files.isDirectory(p, NOFOLLOW)) {
            try (var s = Files.walk(p)) {
                for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(x);
            }
        } else {
            Files.delete(p);
        }
    }

    private void owner(Path p, TarArchiveEntry e) {
        if (!chownWorks) return;
        try {
            Files.setAttribute(p, "unix:uid", (int) e.getLongUserId(), NOFOLLOW);
            Files.setAttribute(p, "unix:gid", (int) e.getLongGroupId(), NOFOLLOW);
        } catch (IOException | RuntimeException x) {
            chownWorks = false;   // not root: the files stay the host user's (root's, inside)
        }
    }

    private static void times(Path p, TarArchiveEntry e) throws IOException {
        FileTime t = e.getLastModifiedTime();
        Files.getFileAttributeView(p, BasicFileAttributeView.class, NOFOLLOW).setTimes(t, t, null);
    }

    /** Directories get their modes, owners and times last, deepest first (so a read-only one could still be filled). */
    private void finishDirectories() throws IOException {
        for (int i = dirs.size() - 1; i >= 0; i--) {
            TarArchiveEntry e = dirs.get(i);
            String rel = clean(e.getName());
            Path p = rel.isEmpty() ? root : root.resolve(rel);
            if (!Files.isDirectory(p, NOFOLLOW)) continue;   // replaced by a later entry
            owner(p, e);
            Files.setAttribute(p, "unix:mode", e.getMode() & 07777, NOFOLLOW);
            times(p, e);
        }
    }

}
