package popek.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The file system calls, each family by an i386 test program of its own (tests/linux) run in a container over the
 * test programs' directory: every check the program prints must be "ok", and it exits 0.
 */
class FileSystemCallsTest {
    @TempDir Path dir;

    private static void passes(LinuxRun r, int minimumChecks) {
        String out = r.out();
        assertFalse(out.contains("FAIL"), out + r.err());
        long oks = out.lines().filter(l -> l.startsWith("ok ")).count();
        assertTrue(oks >= minimumChecks, "only " + oks + " checks ran:\n" + out + r.err());
        assertEquals(0, r.exitCode(), out + r.err());
    }

    @Test
    void filesAndDescriptors() { passes(LinuxRun.run(LinuxRun.programs(), "", "/files"), 75); }

    @Test
    void directoriesLinksAndPermissions() { passes(LinuxRun.run(LinuxRun.programs(), "", "/dirs"), 90); }

    @Test
    void pipesFifosPollAndEventfd() { passes(LinuxRun.run(LinuxRun.programs(), "", "/pipes"), 40); }

    @Test
    void recordLocksAndFlock() { passes(LinuxRun.run(LinuxRun.programs(), "", "/locks"), 18); }

    /**
     * A host file beside the container's root, and 45 ways of trying to reach it from inside (.., links, /proc's magic
     * links of itself and of others, descriptors, chroot, a mount namespace of its own with bind and proc mounts):
     * none does; moves across mounts are EXDEV, link loops ELOOP, long names ENAMETOOLONG.
     */
    @Test
    void noPathLeavesTheRoot() throws IOException {
        Path layer = dir.resolve("layer");
        Files.createDirectories(layer);
        Files.copy(LinuxRun.programs().resolve("escape"), layer.resolve("escape"));
        String secret = "HOST-SECRET-" + UUID.randomUUID();
        Path host = dir.resolve("secret");
        Files.writeString(host, secret + "\n");
        LinuxRun r = LinuxRun.run(layer, "", List.of(), "/escape", host.toString(), secret);
        passes(r, 45);
        assertEquals(secret + "\n", Files.readString(host), "the host file is unchanged");
    }
}
