package popek.container.images;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Stdio;
import popek.debian.DebianPackages;

/**
 * Where built-in images live once assembled: {@code $POPEK_CACHE/images/NAME-KEY/} (else {@code
 * ~/.cache/popek/images}), a root file system directory, made once from the pinned Debian packages (fetched through
 * {@link DebianPackages}, unpacked with {@code dpkg-deb}) and never changed afterwards: containers see it read-only.
 */
public final class ImageStore {
    private final Path images;

    public ImageStore() {
        String cache = System.getenv("POPEK_CACHE");
        Path base = cache != null && !cache.isEmpty() ? Path.of(cache) : Path.of(System.getProperty("user.home"), ".cache", "popek");
        this.images = base.resolve("images");
    }

    /** Why an image cannot be had here (no archive, no dpkg-deb): one line for the user. */
    public static final class Unavailable extends Exception {
        public Unavailable(String message) { super(message); }
    }

    /** The root of built-in image {@code image}, assembled first if needed (progress lines on {@code log}). */
    public Path rootfs(BuiltinImage image, PrintStream log) throws Unavailable {
        Path dir = images.resolve(image.name() + "-" + image.key());
        if (Files.isDirectory(dir)) return dir;
        try {
            Files.createDirectories(images);
            Path tmp = Files.createTempDirectory(images, ".build-" + image.name() + "-");
            try {
                log.println("popek: assembling the " + image.name() + " image (once) in " + dir);
                List<Path> debs = new DebianPackages("bookworm", "i386", 900).fetch(image.packages());
                for (Path deb : debs) unpack(deb, tmp);
                skeleton(tmp);
                if (image.busyboxApplets()) appletLinks(tmp);
                if (image == DebianImage.IMAGE) {
                    for (String[] l : DebianImage.LINKS) {
                        Path link = tmp.resolve(l[0]);
                        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of(l[1]));
                    }
                }
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                    if (!Files.isDirectory(dir)) throw e;   // another run assembled it at the same time
                }
                return dir;
            } finally {
                if (Files.exists(tmp)) deleteTree(tmp);
            }
        } catch (DebianPackages.FetchException e) {
            throw new Unavailable("cannot fetch the " + image.name() + " image's packages: " + e.getMessage());
        } catch (IOException e) {
            throw new Unavailable("cannot assemble the " + image.name() + " image: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while assembling the " + image.name() + " image");
        }
    }

    private static void unpack(Path deb, Path into) throws IOException, InterruptedException, Unavailable {
        Process p;
        try {
            p = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), into.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new Unavailable("dpkg-deb is needed to unpack Debian packages (Debian: apt-get install dpkg)");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("dpkg-deb -x " + deb.getFileName() + ": " + out.strip());
    }

    /** The directories and /etc files a container's programs expect. */
    private static void skeleton(Path root) throws IOException {
        for (String d : List.of("bin", "sbin", "usr/bin", "usr/sbin", "etc", "tmp", "root", "home", "proc", "dev", "sys", "run", "var/tmp")) {
            Files.createDirectories(root.resolve(d));
        }
        write(root, "etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        write(root, "etc/group", "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n");
        write(root, "etc/hostname", "popek\n");
        if (!Files.exists(root.resolve("etc/nsswitch.conf"))) write(root, "etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n");
    }

    private static void write(Path root, String path, String text) throws IOException {
        Path p = root.resolve(path);
        if (Files.exists(p)) return;
        Files.writeString(p, text);
    }

    /** busybox's applets as links to it (/bin/sh, /bin/ls, ...), listed by busybox itself, run in a Popek container. */
    private static void appletLinks(Path root) throws IOException, Unavailable {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(root, List.of("/bin/busybox", "--list-full"), List.of(), "/", 0, 0, false, false, false,
                ContainerConfig.DEFAULT_MEMORY);
        int status = new Container(c, new Stdio(InputStream.nullInputStream(), out, err), new PrintStream(err, true)).run();
        if (status != 0) throw new Unavailable("busybox --list-full failed (" + status + "): " + err.toString(StandardCharsets.UTF_8).strip());
        for (String applet : out.toString(StandardCharsets.UTF_8).lines().toList()) {
            if (applet.isBlank() || applet.contains("..")) continue;
            Path link = root.resolve(applet.strip());
            if (Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) continue;
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of("/bin/busybox"));
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
