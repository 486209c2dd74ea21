package popek.linux.tty;

import java.nio.file.Path;

import popek.container.images.BuiltinImage;
import popek.container.images.ImageStore;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The built-in busybox image's root (assembled once, as {@code popek run busybox} does), or the test is skipped saying why. */
final class BusyboxImage {
    private BusyboxImage() { }

    static Path root() {
        try {
            return new ImageStore().rootfs(BuiltinImage.BUSYBOX, System.err);
        } catch (ImageStore.Unavailable e) {
            assumeTrue(false, e.getMessage());
            return null;
        }
    }
}
