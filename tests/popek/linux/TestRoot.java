package popek.linux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** A root file system for a test: the Linux test programs it names, and small files made on the spot. */
public final class TestRoot {
    private final Path dir;

    public TestRoot(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }

    /** Copies test program {@code name} (tests/linux/NAME.c, built) to /NAME. */
    public TestRoot program(String name) {
        try {
            Path to = dir.resolve(name);
            Files.copy(LinuxRun.programs().resolve(name), to);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString("rwxr-xr-x"));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file at {@code path} (relative to the root) with {@code text} and permissions like "rw-r--r--". */
    public TestRoot file(String path, String text, String perms) {
        try {
            Path to = dir.resolve(path);
            Files.createDirectories(to.getParent());
            Files.writeString(to, text);
            Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(perms));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
