package popek.container;

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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import popek.debian.DebianPackages;

/**
 * The built-in images, {@code busybox} and {@code debian}: Debian 12 i386 packages pinned in {@code native/images},
 * fetched once through the machine's own Debian archive ({@link DebianPackages}), unpacked with {@code dpkg-deb -x}
 * into a layer, under a second layer of Popek's own ({@link ImageConfig}: /etc/passwd, /etc/group, /etc/hostname,
 * busybox's applet links, the links Debian's maintainer scripts would make). Both are kept in the cache
 * ({@code $POPEK_CACHE/images}, else {@code ~/.cache/popek/images}) under a name that changes with the pins and the
 * recipe, so a change rebuilds them; a build goes to a temporary directory and is renamed into place when whole.
 */
public final class Images {
    private Images() { }

    /** Bumped when what {@link ImageConfig} writes changes, so cached images are rebuilt. */
    static final int RECIPE = 2;
    public static final List<String> NAMES = List.of("busybox", "debian");

    /** An image that cannot be had: a one-line reason for the user. */
    public static final class ImageException extends Exception {
        public ImageException(String message) { super(message); }
    }

    /** What a container runs when given no command (Docker's CMD of the image). */
    public static List<String> defaultCommand(String image) {
        return image.equals("debian") ? List.of("bash") : List.of("sh");
    }

    /** The layers of image {@code name}, the top one first, built now if the cache lacks them (progress to {@code log}). */
    public static List<Path> layers(String name, PrintStream log) throws ImageException {
        if (!NAMES.contains(name)) throw new ImageException("no image named '" + name + "' (built in: " + String.join(", ", NAMES) + "; or use --rootfs DIR)");
        List<String> pins = pins(name);
        Path dir = cache().resolve(name + "-" + digest(pins));
        if (!Files.isRegularFile(dir.resolve(".complete"))) build(name, pins, dir, log);
        return List.of(dir.resolve("config"), dir.resolve("packages"));
    }

    static Path cache() {
        String c = System.getenv("POPEK_CACHE");
        if (c != null && !c.isEmpty()) return Path.of(c, "images");
        String x = System.getenv("XDG_CACHE_HOME");
        if (x != null && !x.isEmpty()) return Path.of(x, "popek", "images");
        return Path.of(System.getProperty("user.home"), ".cache", "popek", "images");
    }

    static Path pinFile() {
        String home = System.getProperty("popek.home");
        return Path.of(home != null && !home.isEmpty() ? home : ".", "native", "images").toAbsolutePath();
    }

    /** The image's packages as debian-fetch.sh specs (PKG=VERSION@SHA256), in the pin file's order. */
    static List<String> pins(String image) throws ImageException {
        List<String> specs = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(pinFile())) {
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                String[] f = l.split("\\s+");
                if (f.length != 4) throw new ImageException(pinFile() + ": malformed line: " + line);
                if (f[0].equals(image)) specs.add(f[1] + "=" + f[2] + "@" + f[3]);
            }
        } catch (IOException e) {
            throw new ImageException("cannot read the image pins " + pinFile() + ": " + e.getMessage());
        }
        if (specs.isEmpty()) throw new ImageException(pinFile() + " pins no package for image '" + image + "'");
        return specs;
    }

    private static String digest(List<String> pins) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(("recipe " + RECIPE + "\n").getBytes(StandardCharsets.UTF_8));
            for (String p : pins) d.update((p + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void build(String name, List<String> pins, Path dir, PrintStream log) throws ImageException {
        log.println("popek: building the " + name + " image (once): " + pins.size() + " Debian package" + (pins.size() == 1 ? "" : "s"));
        List<Path> debs;
        try {
            debs = new DebianPackages("bookworm", "i386", 900).fetch(pins);
        } catch (DebianPackages.FetchException e) {
            throw new ImageException("cannot fetch the " + name + " image's packages: " + e.getMessage());
        } catch (IOException e) {
            throw new ImageException("cannot fetch the " + name + " image's packages: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while fetching the " + name + " image");
        }
        Path tmp = null;
        try {
            Files.createDirectories(dir.getParent());
            tmp = Files.createTempDirectory(dir.getParent(), ".building-" + name + "-");
            Path packages = tmp.resolve("packages"), config = tmp.resolve("config");
            Files.createDirectories(packages);
            Files.createDirectories(config);
            for (Path deb : debs) unpack(deb, packages);
            ImageConfig.write(name, packages, config);
            Files.writeString(tmp.resolve(".complete"), String.join("\n", pins) + "\n");
            try {
                Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                tmp = null;
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException | java.nio.file.DirectoryNotEmptyException e) {
                if (!Files.isRegularFile(dir.resolve(".complete"))) throw e;   // another run finished it first
            }
        } catch (IOException e) {
            throw new ImageException("cannot build the " + name + " image in " + dir.getParent() + ": " + e.getMessage());
        } finally {
            if (tmp != null) delete(tmp);
        }
    }

    /** dpkg-deb -x: the package's files with their modes (and owners, when run as root). */
    private static void unpack(Path deb, Path into) throws ImageException, IOException {
        Process p = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), into.toString()).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ImageException("dpkg-deb -x " + deb.getFileName() + " took over 120 s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ImageException("interrupted while unpacking " + deb.getFileName());
        }
        if (p.exitValue() != 0) throw new ImageException("dpkg-deb -x " + deb.getFileName() + " failed: " + out);
    }

    static void delete(Path p) {
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        } catch (IOException ignored) {
            // a temporary directory left behind is harmless; the next build makes a new one
        }
    }

    /** Runs {@code argv} in a container over {@code layers} and returns what it printed (building an image). */
    static String runInside(List<Path> layers, List<String> argv) throws ImageException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        ContainerConfig c = new ContainerConfig(layers, argv, List.of(), "/", 0, 0, false, false, false, 256L << 20);
        int status = new Container(c, new Stdio(InputStream.nullInputStream(), out, err), new PrintStream(err, true)).run();
        if (status != 0) throw new ImageException(String.join(" ", argv) + " failed (" + status + "): " + err.toString(StandardCharsets.UTF_8).strip());
        return out.toString(StandardCharsets.UTF_8);
    }
}
