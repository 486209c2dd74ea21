package popek.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

import popek.debian.DebianPackages;
import popek.debian.DebianPackages.FetchException;

/**
 * Debian 12's i386 Linux kernel (the {@code -686} flavour's bzImage), fetched for the tests that boot Linux.
 *
 * <p>The .deb comes from {@code native/debian-fetch.sh} ({@link DebianPackages}): the machine's own configured Debian
 * archive, the {@code bookworm} suite for i386, a private apt state, the .deb checked against the archive's signed
 * index and, for the pinned version, the SHA-256 recorded here. The bzImage is read out of the package's data
 * (dpkg-deb's tar stream) and kept in the cache, {@code $POPEK_CACHE/linux} (else {@code ~/.cache/popek/linux}),
 * where later runs find it.
 *
 * <p>Once the archive no longer carries the pinned version (Debian drops an old kernel ABI at a point release), the
 * kernel the flavour's metapackage ({@code linux-image-686}) then depends on is fetched instead, checked against the
 * index alone. When nothing can be fetched (no apt, no keyring, no Debian archive configured, no network), the test
 * is aborted (skipped) with the script's reason; a .deb that fails its checks fails the test.
 */
public final class DebianKernel {
    public static final String PACKAGE = "linux-image-6.1.0-50-686-unsigned", VERSION = "6.1.176-1";
    private static final String DEB_SHA256 = "66da497253e9515b8101b7c94cf06a44574e63891cb29a323cf597de069e81d0";
    private static final String BZIMAGE_SHA256 = "6333ef5a8eff51d042c33c9a0e8dd894ce512e9644e24f6b98309239589866b9";
    private static final String METAPACKAGE = "linux-image-686";

    private DebianKernel() { }

    /** Why the kernel could not be fetched, once a test found out (the next ones are skipped at once). */
    private static String unavailable;

    /** The bzImage, from the cache or fetched now; aborts the calling test if it cannot be had. */
    public static synchronized Path bzImage() throws IOException, InterruptedException {
        if (unavailable != null) Assumptions.abort(unavailable);
        try {
            return fetch();
        } catch (FetchException e) {
            if (e.failure() == DebianPackages.Failure.CHECK_FAILED) throw e;
            unavailable = "cannot fetch Debian's kernel: " + e.getMessage();
            Assumptions.abort(unavailable);
            throw e;
        }
    }

    private static Path fetch() throws IOException, InterruptedException {
        Path pinned = cached(PACKAGE, VERSION);
        if (pinned != null && BZIMAGE_SHA256.equals(sha256(pinned))) return pinned;

        DebianPackages archive = new DebianPackages("bookworm", "i386", 900);
        String[] pkg = {PACKAGE, VERSION};
        Path deb;
        try {
            deb = archive.fetch(List.of(PACKAGE + "=" + VERSION + "@" + DEB_SHA256)).getFirst();
        } catch (FetchException e) {
            if (e.failure() != DebianPackages.Failure.NOT_IN_ARCHIVE) throw e;
            pkg = currentKernel(archive);
            Path again = cached(pkg[0], pkg[1]);
            if (again != null) return again;
            deb = archive.fetch(List.of(pkg[0] + "=" + pkg[1])).getFirst();
        }
        Path work = Files.createTempDirectory("popek-linux");
        try {
            byte[] bz = bzImageOf(deb, work);
            String bzSha = sha256(bz);
            if (pkg[0].equals(PACKAGE) && !bzSha.equals(BZIMAGE_SHA256)) {
                throw new IOException("the bzImage in " + deb.getFileName() + " has SHA-256 " + bzSha
                        + ", not the pinned " + BZIMAGE_SHA256);
            }
            Path dir = Files.createDirectories(cacheDir().resolve(pkg[0] + "_" + pkg[1]));
            Path tmp = Files.createTempFile(dir, "vmlinuz", ".part");
            Files.write(tmp, bz);
            Files.move(tmp, dir.resolve("vmlinuz"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(dir.resolve("vmlinuz.sha256"), bzSha + "\n");
            return dir.resolve("vmlinuz");
        } finally {
            deleteTree(work);
        }
    }

    /** A bzImage a previous run kept, if it is whole (its SHA-256 as recorded beside it). */
    private static Path cached(String pkg, String version) throws IOException {
        Path dir = cacheDir().resolve(pkg + "_" + version);
        Path k = dir.resolve("vmlinuz"), sum = dir.resolve("vmlinuz.sha256");
        if (!Files.isRegularFile(k) || !Files.isRegularFile(sum)) return null;
        return Files.readString(sum).strip().equals(sha256(k)) ? k : null;
    }

    /** As native/find-natives.sh: $POPEK_CACHE, else $XDG_CACHE_HOME/popek, else ~/.cache/popek; then linux/. */
    static Path cacheDir() {
        String popek = System.getenv("POPEK_CACHE");
        if (popek != null && !popek.isEmpty()) return Path.of(popek, "linux");
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isEmpty() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("popek").resolve("linux");
    }

    /** The kernel the flavour's metapackage depends on now (its signed build), as the unsigned package of that version. */
    private static String[] currentKernel(DebianPackages archive) throws IOException, InterruptedException {
        String depends = DebianPackages.field(archive.show(METAPACKAGE), "Depends");
        Matcher m = Pattern.compile("(linux-image-[0-9][^ ,]*-686) \\(= ([^)]+)\\)").matcher(depends == null ? "" : depends);
        if (!m.find()) throw new IOException(METAPACKAGE + " depends on no kernel package: " + depends);
        return new String[] {m.group(1) + "-unsigned", m.group(2)};
    }

    /**
     * The bzImage ({@code ./boot/vmlinuz-*}) in a kernel .deb: dpkg-deb unpacks the package's data to a tar stream,
     * which is read here (512-byte headers, each member padded to 512), no file but the kernel written.
     */
    static byte[] bzImageOf(Path deb, Path work) throws IOException, InterruptedException {
        return memberOf(deb, work, "(\\./)?boot/vmlinuz-.*");
    }

    /** The first regular file of a .deb's data whose path matches {@code pathRegex}, read as {@link #bzImageOf} reads. */
    static byte[] memberOf(Path deb, Path work, String pathRegex) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("dpkg-deb", "--fsys-tarfile", deb.toString())
                .redirectError(work.resolve("dpkg-deb.log").toFile()).start();
        byte[] found = null;
        try (InputStream in = p.getInputStream()) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                if (header[0] == 0) break;   // the end-of-archive blocks
                String name = cString(header, 0, 100);
                // POSIX ustar ("ustar\0") keeps a name prefix at 345; GNU's format ("ustar  ") keeps times there.
                if (cString(header, 257, 6).equals("ustar") && header[262] == 0 && header[345] != 0) {
                    name = cString(header, 345, 155) + "/" + name;
                }
                long size = Long.parseLong(cString(header, 124, 12).strip(), 8);
                long padded = (size + 511) & ~511L;
                if (header[156] == '0' || header[156] == 0) {
                    if (name.matches(pathRegex)) {
                        found = in.readNBytes((int) size);
                    }
                }
                if (found != null) break;
                in.skipNBytes(padded);
            }
        } finally {
            p.destroy();   // the rest of the package (the modules) is not needed
            p.waitFor(60, TimeUnit.SECONDS);
        }
        if (found == null) throw new IOException(deb.getFileName() + " holds no file matching " + pathRegex);
        return found;
    }

    private static String cString(byte[] b, int at, int max) {
        int end = at;
        while (end < at + max && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.ISO_8859_1);
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = sha256();
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) md.update(buf, 0, n);
            return HexFormat.of().formatHex(md.digest());
        }
    }

    static String sha256(byte[] data) { return HexFormat.of().formatHex(sha256().digest(data)); }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
