package popek.image.build;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import popek.image.Digests;

/**
 * The build context: the directory given to {@code popek build}, less what {@code .popekignore} (else
 * {@code .dockerignore}) excludes. COPY and ADD name its files relative to it; a source path is cleaned as Docker
 * cleans it against the context's root, so ".." cannot leave it, and a symbolic link given as a source is followed
 * only to a file inside the context.
 */
public final class BuildContext {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};

    /** A file of the context: its path relative to the context ('/'-separated) and on the host. */
    public record Source(String rel, Path host) { }

    private final Path root;
    private final IgnoreRules ignore;

    public BuildContext(Path root) throws IOException {
        this.root = root.toRealPath();
        Path popekignore = this.root.resolve(".popekignore"), dockerignore = this.root.resolve(".dockerignore");
        Path rules = Files.isRegularFile(popekignore) ? popekignore : Files.isRegularFile(dockerignore) ? dockerignore : null;
        this.ignore = rules == null ? IgnoreRules.none() : IgnoreRules.parse(Files.readString(rules, StandardCharsets.UTF_8));
    }

    public Path root() { return root; }

    public boolean excluded(String rel) { return !rel.isEmpty() && ignore.excludes(rel); }

    /** The sources {@code pattern} names (wildcards per path component, Go's filepath.Match); empty if none. */
    public List<Source> match(String pattern) throws IOException {
        List<String> parts = new ArrayList<>();
        for (String s : pattern.split("/")) {
            if (s.isEmpty() || s.equals(".")) continue;
            if (s.equals("..")) {
                if (!parts.isEmpty()) parts.removeLast();
                continue;
            }
            parts.add(s);
        }
        List<Source> found = new ArrayList<>();
        expand(root, "", parts, 0, found);
        return found;
    }

    private void expand(Path dir, String rel, List<String> parts, int k, List<Source> out) throws IOException {
        if (k == parts.size()) {
            if (!excluded(rel) || Files.isDirectory(dir, NOFOLLOW) && ignore.hasExceptions()) out.add(new Source(rel, dir));
            return;
        }
        String part = parts.get(k);
        boolean wild = part.contains("*") || part.contains("?") || part.contains("[");
        if (!wild) {
            Path p = dir.resolve(unescape(part));
            if (Files.exists(p, NOFOLLOW)) expand(p, join(rel, p.getFileName().toString()), parts, k + 1, out);
            return;
        }
        if (!Files.isDirectory(dir, NOFOLLOW)) return;
        Pattern re = Pattern.compile(IgnoreRules.regex(part));
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (re.matcher(name).matches()) expand(p, join(rel, name), parts, k + 1, out);
            }
        }
    }

    private static String unescape(String s) { return s.replace("\\", ""); }

    private static String join(String a, String b) { return a.isEmpty() ? b : a + "/" + b; }

    /**
     * The host file a source's link leads to, if it stays inside the context (Docker follows a source that is a link);
     * the source itself otherwise (then it is copied as a link).
     */
    public Path followed(Source s) throws IOException {
        if (!Files.isSymbolicLink(s.host())) return s.host();
        Path real = s.host().toRealPath();
        if (!real.startsWith(root)) throw new IOException(s.rel() + " is a link to a file outside the build context");
        return real;
    }

    /** The files below directory source {@code dir}, in name order, each as its path relative to {@code dir}. */
    public List<Map.Entry<String, Path>> below(Source dir, Path host) throws IOException {
        List<Map.Entry<String, Path>> out = new ArrayList<>();
        walk(host, dir.rel(), "", out);
        return out;
    }

    private void walk(Path dir, String ctxRel, String rel, List<Map.Entry<String, Path>> out) throws IOException {
        List<Path> kids;
        try (var s = Files.list(dir)) {
            kids = s.sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString())).toList();
        }
        for (Path p : kids) {
            String name = p.getFileName().toString();
            String r = join(rel, name), c = join(ctxRel, name);
            boolean isDir = Files.isDirectory(p, NOFOLLOW);
            if (excluded(c) && !(isDir && ignore.hasExceptions())) continue;
            if (!excluded(c)) out.add(Map.entry(r, p));
            if (isDir) walk(p, c, r, out);
        }
    }

    /**
     * A digest of what {@code sources} hold: each file's path, type, mode and contents (or a link's target), the
     * cache's input for COPY (Docker's too leaves modification times and owners out).
     */
    public String digest(List<Source> sources) throws IOException {
        MessageDigest d = Digests.sha256();
        for (Source s : sources) {
            Path h = followed(s);
            add(d, s.rel(), h);
            if (Files.isDirectory(h, NOFOLLOW)) for (Map.Entry<String, Path> e : below(s, h)) add(d, s.rel() + "/" + e.getKey(), e.getValue());
        }
        return Digests.of(d);
    }

    private static void add(MessageDigest d, String rel, Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", NOFOLLOW);
        d.update((rel + "\0" + Integer.toOctalString(mode) + "\0").getBytes(StandardCharsets.UTF_8));
        if (Files.isSymbolicLink(p)) {
            d.update(Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8));
        } else if (Files.isRegularFile(p, NOFOLLOW)) {
            try (InputStream in = Files.newInputStream(p)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            }
        }
        d.update((byte) '\n');
    }
}
