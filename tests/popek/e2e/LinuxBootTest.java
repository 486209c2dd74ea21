package popek.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.testing.DebianKernel;
import popek.testing.GuestRun;
import popek.testing.Initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian 12's i386 kernel, fetched from Debian's archive during the run ({@link DebianKernel}; the test is skipped,
 * saying why, when it cannot be), boots with an initramfs written here to its {@code /init}, which says hello on the
 * console and powers the machine off. Through the CLI's boot path, with the README's command line.
 */
class LinuxBootTest {
    static final String CMDLINE = "console=ttyS0 noapic nolapic acpi=off lpj=1000000 notsc";
    private static final long MEMORY = 256L << 20;
    private static final long TIMEOUT = 180_000_000_000L;

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void debianKernelRunsInitAndPowersOff(ExecutionMode mode) throws Exception {
        Path kernel = DebianKernel.bzImage();
        Path initrd = Files.write(dir.resolve("initrd.cpio"), Initramfs.withHelloInit());
        GuestRun.Result r = GuestRun.bootLinux(kernel, initrd, CMDLINE, MEMORY, mode, TIMEOUT);
        String tail = r.stop().message() + "\n" + r.serial().substring(Math.max(0, r.serial().length() - 4000));
        assertTrue(r.lines().contains(Initramfs.INIT_LINE), tail);
        assertEquals(0, r.stop().exitCode(), tail);
    }
}
