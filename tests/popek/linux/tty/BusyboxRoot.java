package popek.linux.tty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A root file system of Debian 12's busybox-static for i386, pinned: fetched by native/debian-fetch.sh where the
 * project has it, or found (and checked) in its cache; extracted with dpkg-deb, with the applet links and the few
 * files a shell wants. The test is skipped, saying why, where neither works.
 */
final class BusyboxRoot {
    static final String PACKAGE = "busybox-static", VERSION = "1:1.35.0-4+deb12u1+b1",
            SHA256 = "725ef9e6fbac4ab79b353165b05005e8c140d6e42177ebbc202ff1e13ded8b7c";
    /** The applets the tests use, linked to /bin/busybox. */
    static final List<String> APPLETS = List.of("sh", "ash", "ls", "cat", "echo", "stty", "tty", "sleep", "vi", "kill",
            "true", "false", "printf", "test", "env", "ps", "seq", "wc");

    private BusyboxRoot() { }

    /** Makes the root in {@code dir} (empty); skips the test when busybox cannot be had here. */
    static Path make(Path dir) throws IOException, InterruptedException {
        Path deb = fetch();
        Process x = new ProcessBuilder("dpkg-deb", "-x", deb.toString(), dir.toString()).redirectErrorStream(true).start();
        String log = new String(x.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assumeTrue(x.waitFor(60, TimeUnit.SECONDS) && x.exitValue() == 0, "dpkg-deb could not extract busybox: " + log);
        for (String a : APPLETS) {
            Path link = dir.resolve("bin").resolve(a);
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) Files.createSymbolicLink(link, Path.of("busybox"));
        }
        Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("root"));
        Files.writeString(dir.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Files.writeString(dir.resolve("etc/group"), "root:x:0:\ntty:x:5:\n");
        return dir;
    }

    private static Path fetch() throws IOException, InterruptedException {
        String spec = PACKAGE + "=" + VERSION + "@" + SHA256;
        Path script = Path.of(System.getProperty("popek.home", ".")).resolve("native/debian-fetch.sh");
        if (Files.isExecutable(script)) {
            Process p = new ProcessBuilder(script.toString(), "--suite", "bookworm", "--arch", "i386", spec).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assumeTrue(p.waitFor(600, TimeUnit.SECONDS) && p.exitValue() == 0, "busybox-static could not be fetched: " + err);
            return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
        }
        // Without the fetcher: the copy it keeps in its cache, if it is the pinned one.
        String cache = System.getenv("POPEK_CACHE") != null ? System.getenv("POPEK_CACHE")
                : System.getenv("XDG_CACHE_HOME") != null ? System.getenv("XDG_CACHE_HOME") + "/popek"
                : System.getProperty("user.home") + "/.cache/popek";
        Path deb = Path.of(cache, "debs", PACKAGE + "_" + VERSION.replace(":", "%3a") + "_i386.deb");
        assumeTrue(Files.isRegularFile(deb), "no native/debian-fetch.sh here and no " + deb + " to use instead");
        String sum;
        try {
            sum = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(deb)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        assumeTrue(sum.equals(SHA256), deb + " is not the pinned package (SHA-256 " + sum + ")");
        return deb;
    }
}
