package popek.linux.tty;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

import popek.container.Images;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The built-in busybox image's layers (assembled once, as {@code popek run busybox} does), or the test is skipped saying why. */
final class BusyboxImage {
    private BusyboxImage() { }

    static List<Path> layers() {
        try {
            return Images.layers("busybox", new PrintStream(OutputStream.nullOutputStream()));
        } catch (Images.ImageException e) {
            assumeTrue(false, "the busybox image cannot be built here: " + e.getMessage());
            return null;
        }
    }
}
