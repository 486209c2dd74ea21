package popek.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

import org.junit.jupiter.api.Assumptions;

import popek.debian.DebianPackages;
import popek.debian.DebianPackages.FetchException;

/**
 * Memtest86+ 6.10's 32-bit image ({@code boot/memtest86+ia32.bin}, a bzImage entered by the Linux boot protocol),
 * from Debian 12's {@code memtest86+} package: a kernel written by no one here that turns on PAE paging. Fetched and
 * checked as {@link DebianKernel} fetches Linux (the pinned .deb's and image's SHA-256), kept in the same cache; the
 * calling test is skipped, saying why, when it cannot be fetched.
 */
public final class DebianMemtest {
    private static final String PACKAGE = "memtest86+", VERSION = "6.10-4";
    private static final String DEB_SHA256 = "76a2939452a8b7dba642c97a63e42b985b76eba51ea1330038957239d4a47154";
    private static final String IMAGE_SHA256 = "9aee6d56888b8a78fa1dd774b341db40ea8049a576417de302e5daed4c91707e";

    private DebianMemtest() { }

    private static String unavailable;

    /** The image, from the cache or fetched now; aborts the calling test if it cannot be had. */
    public static synchronized Path ia32() throws IOException, InterruptedException {
        if (unavailable != null) Assumptions.abort(unavailable);
        Path dir = DebianKernel.cacheDir().resolve(PACKAGE + "_" + VERSION);
        Path image = dir.resolve("memtest86+ia32.bin");
        if (Files.isRegularFile(image) && IMAGE_SHA256.equals(DebianKernel.sha256(image))) return image;
        Path deb;
        try {
            // An amd64 package (it carries the 32-bit image too); the image itself is checked against its pin below.
            deb = new DebianPackages("bookworm", "amd64", 900).fetch(List.of(PACKAGE + "=" + VERSION + "@" + DEB_SHA256)).getFirst();
        } catch (FetchException e) {
            if (e.failure() == DebianPackages.Failure.CHECK_FAILED) throw e;
            unavailable = "cannot fetch Debian's memtest86+: " + e.getMessage();
            Assumptions.abort(unavailable);
            throw e;
        }
        Path work = Files.createTempDirectory("popek-memtest");
        try {
            byte[] bin = DebianKernel.memberOf(deb, work, "(\\./)?boot/memtest86\\+ia32\\.bin");
            String sha = DebianKernel.sha256(bin);
            if (!sha.equals(IMAGE_SHA256)) {
                throw new IOException("memtest86+ia32.bin in " + deb.getFileName() + " has SHA-256 " + sha + ", not the pinned " + IMAGE_SHA256);
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "memtest", ".part");
            Files.write(tmp, bin);
            Files.move(tmp, image, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return image;
        } finally {
            DebianKernel.deleteTree(work);
        }
    }
}
