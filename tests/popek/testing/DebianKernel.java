package popek.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * Debian 12's i386 Linux kernel (the {@code -686} flavour's bzImage), fetched for the tests that boot Linux.
 *
 * <p>The .deb comes from {@code apt-get download} through a private apt state (the machine's own configured Debian
 * archive, the {@code bookworm} suite, architecture i386; nothing on the system changes), as
 * {@code native/find-natives.sh} fetches Unicorn. Its size and SHA-256 are checked against the archive's signed
 * index, and, for the pinned version, against the hash recorded here. The bzImage is read out of the package's data
 * (dpkg-deb's tar stream) and kept in the cache, {@code $POPEK_CACHE/linux} (else {@code ~/.cache/popek/linux}),
 * where later runs find it.
 *
 * <p>Once the archive no longer carries the pinned version (Debian drops an old kernel ABI at a point release), the
 * kernel the flavour's metapackage ({@code linux-image-686}) then depends on is fetched instead, checked against the
 * index alone. When nothing can be fetched (no apt-get or dpkg-deb, no keyring, no network), the test is aborted
 * (skipped) with the reason.
 */
public final class DebianKernel {
    public static final String PACKAGE = "linux-image-6.1.0-50-686-unsigned", VERSION = "6.1.176-1";
    private static final String DEB_SHA256 = "66da497253e9515b8101b7c94cf06a44574e63891cb29a323cf597de069e81d0";
    private static final String BZIMAGE_SHA256 = "6333ef5a8eff51d042c33c9a0e8dd894ce512e9644e24f6b98309239589866b9";
    private static final String METAPACKAGE = "linux-image-686";
    private static final String KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
    private static final String DEFAULT_ARCHIVE = "http://deb.debian.org/debian";

    private DebianKernel() { }

    /** Why the kernel could not be fetched, once a test found out (the next ones are skipped at once). */
    private static String unavailable;

    /** The bzImage, from the cache or fetched now; aborts the calling test if it cannot be had. */
    public static synchronized Path bzImage() throws IOException, InterruptedException {
        if (unavailable != null) Assumptions.abort(unavailable);
        try {
            return fetch();
        } catch (org.opentest4j.TestAbortedException e) {
            unavailable = e.getMessage();
            throw e;
        }
    }

    private static Path fetch() throws IOException, InterruptedException {
        Path pinned = cached(PACKAGE, VERSION);
        if (pinned != null && BZIMAGE_SHA256.equals(sha256(pinned))) return pinned;

        for (String tool : new String[] {"apt-get", "apt-cache", "dpkg-deb"}) {
            Assumptions.assumeTrue(onPath(tool), "cannot fetch Debian's kernel: no " + tool + " on this machine");
        }
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(KEYRING)),
                "cannot fetch Debian's kernel: no " + KEYRING + " to check the archive with");
        Path work = Files.createTempDirectory("popek-linux");
        try {
            Apt apt = new Apt(work, archive());
            apt.update();
            String[] pkg = {PACKAGE, VERSION};
            String record = apt.show(PACKAGE + "=" + VERSION);
            if (record == null) {
                pkg = currentKernel(apt);
                record = apt.show(pkg[0] + "=" + pkg[1]);
                Assumptions.assumeTrue(record != null, "cannot fetch Debian's kernel: the archive has no " + pkg[0] + " " + pkg[1]);
            }
            Path again = cached(pkg[0], pkg[1]);
            if (again != null) return again;

            long size = Long.parseLong(field(record, "Size"));
            String sha = field(record, "SHA256");
            Path debs = Files.createDirectories(work.resolve("debs"));
            apt.run("download", List.of("download", pkg[0] + "=" + pkg[1]), 900, debs);
            Path deb;
            try (Stream<Path> s = Files.list(debs)) {
                deb = s.filter(p -> p.getFileName().toString().endsWith(".deb")).findFirst().orElseThrow();
            }
            String got = sha256(deb);
            if (Files.size(deb) != size || !got.equals(sha)) {
                throw new IOException(deb.getFileName() + ": " + Files.size(deb) + " bytes, SHA-256 " + got
                        + "; the archive's index says " + size + " bytes, " + sha);
            }
            if (pkg[0].equals(PACKAGE) && !got.equals(DEB_SHA256)) {
                throw new IOException(deb.getFileName() + ": SHA-256 " + got + " is not the pinned " + DEB_SHA256);
            }
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
    private static String[] currentKernel(Apt apt) throws IOException, InterruptedException {
        String meta = apt.show(METAPACKAGE);
        Assumptions.assumeTrue(meta != null, "cannot fetch Debian's kernel: the archive has neither " + PACKAGE + " " + VERSION + " nor " + METAPACKAGE);
        Matcher m = Pattern.compile("(linux-image-[0-9][^ ,]*-686) \\(= ([^)]+)\\)").matcher(field(meta, "Depends"));
        Assumptions.assumeTrue(m.find(), METAPACKAGE + " depends on no kernel package: " + field(meta, "Depends"));
        return new String[] {m.group(1) + "-unsigned", m.group(2)};
    }

    /** The archive this machine's apt is configured with (its first non-security one), else Debian's own. */
    private static String archive() throws IOException {
        List<String> lines = new ArrayList<>();
        Path d = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(d)) {
            try (Stream<Path> s = Files.list(d)) {
                for (Path p : s.filter(p -> p.toString().endsWith(".sources") || p.toString().endsWith(".list")).sorted().toList()) {
                    lines.addAll(Files.readAllLines(p));
                }
            }
        }
        if (Files.isRegularFile(Path.of("/etc/apt/sources.list"))) lines.addAll(Files.readAllLines(Path.of("/etc/apt/sources.list")));
        for (String l : lines) {
            String t = l.strip();
            if (t.startsWith("#") || t.contains("security")) continue;
            for (String w : t.split("\\s+")) {
                if ((t.startsWith("URIs:") || t.startsWith("deb ")) && w.matches("https?://.*")) return w;
            }
        }
        return DEFAULT_ARCHIVE;
    }

    /** apt-get and apt-cache with a private state, sources list and cache under {@code work}. */
    private record Apt(Path work, String archive) {
        Apt {
            try {
                for (String sub : new String[] {"state/lists/partial", "cache/archives/partial"}) Files.createDirectories(work.resolve(sub));
                Files.writeString(work.resolve("sources.list"),
                        "deb [arch=i386 signed-by=" + KEYRING + "] " + archive + " bookworm main\n");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private List<String> options() {
            return List.of("-o", "Dir::State=" + work.resolve("state"), "-o", "Dir::Cache=" + work.resolve("cache"),
                    "-o", "Dir::Etc::SourceList=" + work.resolve("sources.list"), "-o", "Dir::Etc::SourceParts=/dev/null",
                    "-o", "Dir::Etc::Preferences=/dev/null", "-o", "Dir::Etc::PreferencesParts=/dev/null",
                    "-o", "APT::Architecture=i386", "-o", "Debug::NoLocking=1", "-o", "APT::Sandbox::User=root",
                    "-o", "Acquire::Retries=1", "-o", "Acquire::http::Timeout=30", "-q");
        }

        /**
         * Fetches the suite's i386 index; aborts the test if none came (apt-get update only warns, and succeeds, when
         * the archive cannot be reached).
         */
        void update() throws IOException, InterruptedException {
            Result r = run("update", List.of("update"), 180, work);
            boolean index;
            try (Stream<Path> s = Files.list(work.resolve("state/lists"))) {
                index = s.anyMatch(p -> p.getFileName().toString().contains("_Packages"));
            }
            Assumptions.assumeTrue(index, () -> "cannot fetch Debian's kernel: apt-get update through " + archive
                    + " brought no index: " + r.lastLine());
        }

        /** apt-get with these arguments in {@code dir}; aborts the test if it fails (no network, no such package). */
        Result run(String what, List<String> args, int timeoutSeconds, Path dir) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("apt-get"));
            cmd.addAll(options());
            cmd.addAll(args);
            Result r = exec(cmd, dir, timeoutSeconds);
            Assumptions.assumeTrue(r.ok(), () -> "cannot fetch Debian's kernel: apt-get " + what + " through " + archive
                    + " failed: " + r.lastLine());
            return r;
        }

        /** The index's record of a package (apt-cache show), or null if the archive has none. */
        String show(String spec) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("apt-cache"));
            cmd.addAll(options());
            cmd.addAll(List.of("show", spec));
            Result r = exec(cmd, work, 60);
            if (!r.ok() || !r.output().contains("Package:")) return null;
            int end = r.output().indexOf("\n\n");
            return end < 0 ? r.output() : r.output().substring(0, end);
        }
    }

    private record Result(boolean ok, String output) {
        String lastLine() {
            List<String> l = output.strip().lines().toList();
            return l.isEmpty() ? "(no output)" : l.getLast();
        }
    }

    private static Result exec(List<String> cmd, Path dir, int timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile(dir, "out", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!done) {
            p.destroyForcibly().waitFor();
            return new Result(false, "timed out after " + timeoutSeconds + " s");
        }
        String out = Files.readString(log, StandardCharsets.ISO_8859_1);
        Files.delete(log);
        return new Result(p.exitValue() == 0, out);
    }

    private static String field(String record, String name) {
        for (String l : record.lines().toList()) {
            if (l.startsWith(name + ": ")) return l.substring(name.length() + 2).strip();
        }
        throw new IllegalStateException("no " + name + " in the archive's record:\n" + record);
    }

    /**
     * The bzImage ({@code ./boot/vmlinuz-*}) in a kernel .deb: dpkg-deb unpacks the package's data to a tar stream,
     * which is read here (512-byte headers, each member padded to 512), no file but the kernel written.
     */
    static byte[] bzImageOf(Path deb, Path work) throws IOException, InterruptedException {
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
                    if (name.matches("(\\./)?boot/vmlinuz-.*")) {
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
        if (found == null) throw new IOException(deb.getFileName() + " holds no boot/vmlinuz-*");
        return found;
    }

    private static String cString(byte[] b, int at, int max) {
        int end = at;
        while (end < at + max && b[end] != 0) end++;
        return new String(b, at, end - at, StandardCharsets.ISO_8859_1);
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String d : path.split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
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

    private static String sha256(byte[] data) { return HexFormat.of().formatHex(sha256().digest(data)); }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
