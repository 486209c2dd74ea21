package popek.image.build;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import popek.image.ImageStore;
import popek.image.LayerWriter;
import popek.image.RootfsView;
import popek.image.StoreException;
import popek.image.TarStreams;
import popek.image.UserSpec;

/**
 * COPY and ADD: files of the build context written as a layer with Docker's rules. Each source may hold wildcards;
 * a directory's contents (not itself) are copied; the destination (relative to WORKDIR) is a directory when it ends
 * with '/', when there are several sources, or when the image has a directory there, and a file otherwise. Files keep
 * their mode and modification time, are owned by root unless {@code --chown=USER[:GROUP]} (names from the image's
 * /etc/passwd and /etc/group) and take {@code --chmod=OCTAL} if given; directories the destination needs are made
 * (0755, root's), and those the image has keep their attributes in the layer. ADD of a local tar archive (plain,
 * gzip or bzip2) unpacks it into the destination; ADD of a URL is refused (a build reaches no network).
 */
final class CopyStep {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private final ImageStore store;
    private final BuildContext context;
    private final Stage stage;
    private final Instruction in;
    private final String file;
    private final boolean add;
    private final List<BuildContext.Source> sources = new ArrayList<>();
    private final String dest;
    private final boolean destIsDir;
    private RootfsView view;
    private final Set<String> written = new HashSet<>();

    CopyStep(ImageStore store, BuildContext context, Stage stage, Instruction in, ShellWords words, String file)
            throws BuildException, ShellWords.UnsetException, IOException, StoreException {
        this.store = store;
        this.context = context;
        this.stage = stage;
        this.in = in;
        this.file = file;
        this.add = in.keyword().equals("ADD");
        if (in.flags().containsKey("from")) throw new BuildException(file, in.line(), in.keyword() + " --from is not supported by Popek (one stage's files cannot be copied into another)");
        List<String> args = new ArrayList<>();
        if (in.isJson()) for (String a : in.json()) args.add(words.word(a));
        else args.addAll(words.words(in.args()));
        if (args.size() < 2) throw new BuildException(file, in.line(), in.keyword() + " requires at least two arguments: SOURCE... DEST");
        String d = args.removeLast();
        String abs = d.startsWith("/") ? d : stage.workdir() + "/" + d;
        for (String src : args) {
            if (src.matches("(?i)(https?|ftp|git)://.*|git@.*")) throw new BuildException(file, in.line(), "ADD of a URL (" + src + ") is not supported: a Popek build reaches no network");
            List<BuildContext.Source> m = context.match(src);
            if (m.isEmpty()) throw new BuildException(file, in.line(), in.keyword() + " failed: file not found in the build context or excluded by .popekignore/.dockerignore: " + src);
            sources.addAll(m);
        }
        this.dest = clean(abs);
        RootfsView.Attributes there = view().attributes(dest);
        boolean several = sources.size() > 1;
        this.destIsDir = d.endsWith("/") || d.endsWith("/.") || d.equals(".") || (there != null && there.isDirectory())
                || (sources.size() == 1 && Files.isDirectory(context.followed(sources.getFirst()), NOFOLLOW));
        if (several && !destIsDir) throw new BuildException(file, in.line(), "When using " + in.keyword() + " with more than one source file, the destination must be a directory and end with a /");
    }

    private RootfsView view() throws StoreException {
        if (view == null) view = stage.view(store);
        return view;
    }

    /** The cache's input: the sources' contents, and the flags and destination. */
    String digest() throws IOException { return context.digest(sources) + " " + dest + " " + destIsDir; }

    /** "/a/./b//c/../d/" as "/a/b/d" (never above /). */
    static String clean(String path) {
        List<String> parts = new ArrayList<>();
        for (String p : path.split("/")) {
            if (p.isEmpty() || p.equals(".")) continue;
            if (p.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
                continue;
            }
            parts.add(p);
        }
        return "/" + String.join("/", parts);
    }

    LayerWriter.Written write() throws BuildException, IOException, StoreException {
        UserSpec owner = new UserSpec(0, 0);
        String chown = in.flags().get("chown");
        if (chown != null) {
            try {
                owner = UserSpec.resolve(chown, view());
            } catch (UserSpec.UnknownException e) {
                throw new BuildException(file, in.line(), in.keyword() + " --chown=" + chown + ": " + e.getMessage());
            }
        }
        Integer chmod = null;
        String cm = in.flags().get("chmod");
        if (cm != null) {
            if (!cm.matches("[0-7]{1,4}")) throw new BuildException(file, in.line(), in.keyword() + " --chmod=" + cm + ": give the mode in octal (e.g. 755)");
            chmod = Integer.parseInt(cm, 8);
        }
        try (LayerWriter w = store.newLayer()) {
            for (BuildContext.Source s : sources) {
                Path host = context.followed(s);
                String name = host.getFileName() == null ? "" : s.host().getFileName().toString();
                if (Files.isDirectory(host, NOFOLLOW)) {
                    parents(w, dest + "/x");
                    directory(w, dest, host, owner, chmod);
                    for (Map.Entry<String, Path> e : context.below(s, host)) entry(w, dest + "/" + e.getKey(), e.getValue(), owner, chmod);
                } else if (add && isTar(host)) {
                    parents(w, dest + "/x");
                    if (!written.contains(dest) && view().attributes(dest) == null) directory(w, dest, null, new UserSpec(0, 0), null);
                    untar(w, host);
                } else {
                    String target = destIsDir ? dest + "/" + name : dest;
                    parents(w, target);
                    entry(w, target, host, owner, chmod);
                }
            }
            return w.finish();
        }
    }

    /** Writes the directories above {@code path}: the image's own with their attributes, new ones 0755 root. */
    private void parents(LayerWriter w, String path) throws IOException, StoreException {
        String[] parts = path.substring(1).split("/");
        StringBuilder at = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) {
            at.append('/').append(parts[i]);
            String p = at.toString();
            if (written.contains(p)) continue;
            RootfsView.Attributes a = view().attributes(p);
            if (a != null && !a.isDirectory()) throw new IOException(p + " is not a directory in the image");
            if (a != null) w.directory(p.substring(1), a.mode(), a.uid(), a.gid(), a.mtimeSeconds());
            else w.directory(p.substring(1), 0755, 0, 0, java.time.Instant.now().getEpochSecond());
            written.add(p);
        }
    }

    /** The destination directory itself: the image's attributes if it has it, else the source directory's mode. */
    private void directory(LayerWriter w, String path, Path source, UserSpec owner, Integer chmod) throws IOException, StoreException {
        if (path.equals("/") || !written.add(path)) return;
        RootfsView.Attributes a = view().attributes(path);
        if (a != null && a.isDirectory()) {
            w.directory(path.substring(1), a.mode(), a.uid(), a.gid(), a.mtimeSeconds());
        } else {
            int mode = source == null ? 0755 : (Integer) Files.getAttribute(source, "unix:mode", NOFOLLOW);
            w.directory(path.substring(1), chmod != null ? chmod : mode, owner.uid(), owner.gid(), mtime(source));
        }
    }

    private void entry(LayerWriter w, String path, Path host, UserSpec owner, Integer chmod) throws IOException {
        Map<String, Object> a = Files.readAttributes(host, "unix:mode,size", NOFOLLOW);
        int mode = (Integer) a.get("mode");
        String name = path.substring(1);
        if (Files.isSymbolicLink(host)) {
            w.symlink(name, Files.readSymbolicLink(host).toString(), owner.uid(), owner.gid(), mtime(host));
        } else if (Files.isDirectory(host, NOFOLLOW)) {
            if (written.add(path)) w.directory(name, chmod != null ? chmod : mode, owner.uid(), owner.gid(), mtime(host));
        } else if (Files.isRegularFile(host, NOFOLLOW)) {
            try (InputStream data = Files.newInputStream(host, NOFOLLOW)) {
                w.file(name, chmod != null ? chmod : mode, owner.uid(), owner.gid(), mtime(host), (Long) a.get("size"), data);
            }
        }
        // sockets, FIFOs and devices in a context are not copied (Docker's builder skips them too)
    }

    private static long mtime(Path p) throws IOException {
        if (p == null) return java.time.Instant.now().getEpochSecond();
        return ((FileTime) Files.getAttribute(p, "lastModifiedTime", NOFOLLOW)).toInstant().getEpochSecond();
    }

    /** Is {@code p} a tar archive (plain or compressed), as ADD decides by the contents, not the name? */
    private static boolean isTar(Path p) {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(p, NOFOLLOW)); InputStream in = TarStreams.decompressed(raw)) {
            byte[] head = in.readNBytes(512);
            return head.length == 512 && TarArchiveInputStream.matches(head, head.length);
        } catch (IOException e) {
            return false;
        }
    }

    /** ADD's unpacking: the archive's entries under the destination, with the archive's owners and modes. */
    private void untar(LayerWriter w, Path archive) throws IOException, StoreException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(TarStreams.decompressed(new BufferedInputStream(Files.newInputStream(archive))), "UTF-8")) {
            for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                String rel = clean(e.getName()).substring(1);
                if (rel.isEmpty()) continue;
                String path = clean(dest + "/" + rel), name = path.substring(1);
                parents(w, path);
                long mtime = e.getLastModifiedTime().toInstant().getEpochSecond();
                int uid = (int) e.getLongUserId(), gid = (int) e.getLongGroupId();
                if (e.isDirectory()) {
                    if (written.add(path)) w.directory(name, e.getMode(), uid, gid, mtime);
                } else if (e.isSymbolicLink()) {
                    w.symlink(name, e.getLinkName(), uid, gid, mtime);
                } else if (e.isLink()) {
                    w.hardlink(name, clean(dest + "/" + clean(e.getLinkName())).substring(1), e.getMode(), uid, gid, mtime);
                } else if (e.isFile()) {
                    w.file(name, e.getMode(), uid, gid, mtime, e.getSize(), tar);
                }
            }
        }
    }

    /** WORKDIR's directory, as a layer, when the image lacks it (else null: the step adds no layer). */
    static LayerWriter.Written workdir(ImageStore store, Stage s) throws IOException, StoreException {
        String dir = s.workdir();
        RootfsView view = s.view(store);
        if (dir.equals("/") || view.attributes(dir) != null) return null;
        try (LayerWriter w = store.newLayer()) {
            StringBuilder at = new StringBuilder();
            for (String part : dir.substring(1).split("/")) {
                at.append('/').append(part);
                RootfsView.Attributes a = view.attributes(at.toString());
                if (a != null) w.directory(at.substring(1), a.mode(), a.uid(), a.gid(), a.mtimeSeconds());
                else w.directory(at.substring(1), 0755, 0, 0, java.time.Instant.now().getEpochSecond());
            }
            return w.finish();
        }
    }
}
