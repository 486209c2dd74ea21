package popek.debian;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code native/debian-fetch.sh} without a network: its usage errors, and its cache, which must answer a pinned
 * package from a whole .deb without asking any archive, and must not take a .deb whose hash is not the pin. The
 * archive is an address nothing listens on ({@code POPEK_DEBIAN_URI}), so any attempt to reach it fails at once.
 */
class DebianFetchTest {
    private static final String UNREACHABLE = "http://127.0.0.1:9/debian";

    @TempDir Path cache;

    private record Run(int status, String out, String err) { }

    private Run fetch(String... args) throws Exception {
        Path script = Path.of(System.getProperty("popek.home", "."), "native", "debian-fetch.sh");
        List<String> cmd = new ArrayList<>(List.of(script.toString()));
        cmd.addAll(List.of(args));
        Path out = cache.resolve("stdout"), err = cache.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().put("POPEK_CACHE", cache.resolve("c").toString());
        pb.environment().put("POPEK_DEBIAN_URI", UNREACHABLE);
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "debian-fetch.sh did not finish in 60 s");
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path cachedDeb(String name, String content) throws Exception {
        Path debs = Files.createDirectories(cache.resolve("c/debs"));
        return Files.writeString(debs.resolve(name), content);
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void usageErrorsAreOneLineAndStatusTwo() throws Exception {
        for (String[] args : new String[][] {
                {"hello=1.0"},                                            // no suite
                {"--suite", "bookworm"},                                  // no package
                {"--suite", "bookworm", "--arch", "i386", "Hello"},      // not a package name
                {"--suite", "bookworm", "--arch", "i386", "hello=1@abc"}, // not a SHA-256
                {"--suite", "bookworm", "--bogus", "hello"}}) {
            Run r = fetch(args);
            assertEquals(2, r.status(), String.join(" ", args) + ": " + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("popek: "), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void aPinnedPackageInTheCacheIsUsedWithoutTheArchive() throws Exception {
        Path deb = cachedDeb("hello_1%3a2.10-3_i386.deb", "not really a deb\n");
        Path all = cachedDeb("tzdata_2024a-0_all.deb", "architecture-independent\n");
        Run r = fetch("--suite", "bookworm", "--arch", "i386", "hello=1:2.10-3@" + sha256("not really a deb\n"),
                "tzdata=2024a-0@" + sha256("architecture-independent\n"));
        assertEquals(0, r.status(), r.err());
        assertEquals(deb + "\n" + all + "\n", r.out());

        Run copied = fetch("--suite", "bookworm", "--arch", "i386", "--out", cache.resolve("out").toString(),
                "hello=1:2.10-3@" + sha256("not really a deb\n"));
        assertEquals(0, copied.status(), copied.err());
        Path copy = cache.resolve("out").resolve(deb.getFileName());
        assertEquals(copy + "\n", copied.out());
        assertEquals("not really a deb\n", Files.readString(copy));
    }

    @Test
    void aVersionedPackageInTheCacheNeedsItsRecordedIndexHash() throws Exception {
        Path deb = cachedDeb("hello_2.10-3_i386.deb", "checked against the index once\n");
        Files.writeString(Path.of(deb + ".sha256"), sha256("checked against the index once\n") + "\n");
        Run r = fetch("--suite", "bookworm", "--arch", "i386", "hello=2.10-3");
        assertEquals(0, r.status(), r.err());
        assertEquals(deb + "\n", r.out());

        Files.writeString(deb, "changed since\n");   // no longer what was checked: fetched again, which fails here
        Run again = fetch("--suite", "bookworm", "--arch", "i386", "hello=2.10-3");
        assertEquals(4, again.status(), again.err());
    }

    @Test
    void aCachedDebThatIsNotThePinIsNotUsed() throws Exception {
        cachedDeb("hello_2.10-3_i386.deb", "tampered\n");
        Run r = fetch("--suite", "bookworm", "--arch", "i386", "hello=2.10-3@" + sha256("the real one\n"));
        // It goes to the archive for the real one, which cannot be reached: status 4, with why.
        assertEquals(4, r.status(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("cannot fetch Debian packages"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void theJavaSideReportsWhyAFetchCannotBeDone() throws Exception {
        var e = org.junit.jupiter.api.Assertions.assertThrows(DebianPackages.FetchException.class,
                () -> new DebianPackages("bookworm", "i386", 60).fetch(List.of("Bad Name")));
        assertEquals(DebianPackages.Failure.CHECK_FAILED, e.failure());
        assertTrue(e.getMessage().contains("bad package 'Bad Name'"), e.getMessage());
    }
}
