package popek.fuzz.harness;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fuzz targets' oracles: what counts as a broken promise, and what does not. */
class VerdictTest {
    @TempDir Path dir;

    private static CliRun.Result result(int code, String err) { return new CliRun.Result(code, err, false, 0.1, 1 << 20, null); }

    @Test
    void documentedOutcomesPass() {
        assertNull(Verdict.problem(result(2, "popek: image: not a Multiboot image (no header in the first 8 KiB)\n"), 0));
        assertNull(Verdict.problem(result(66, "popek: timeout: the guest was still running after 1 s (at EIP 0x00100000: cli)\n"), 0));
        assertNull(Verdict.problem(result(133, ""), 0));
        assertNull(Verdict.problem(result(0, ""), 0));
        assertNull(Verdict.problem(result(72, "popek: the guest raised #GP in real mode, ...\n"
                + "popek: the guest called BIOS services, which Popek does not provide (each returned CF=1, AH=0x86): int 0x13\n"), 0));
    }

    @Test
    void brokenPromisesAreCaught() {
        assertTrue(Verdict.problem(result(74, "popek: internal error: java.lang.NullPointerException (please report it)\n"), 0)
                .startsWith("internal error"));
        assertTrue(Verdict.problem(result(1, "Exception in thread \"main\" java.lang.OutOfMemoryError\n\tat X.y(X.java:1)\n"), 0)
                .contains("stack trace"));
        assertNotNull(Verdict.problem(result(2, "popek: one\npopek: two\n"), 0));
        assertNotNull(Verdict.problem(result(66, ""), 0), "a stop must say why");
        assertNotNull(Verdict.problem(result(4, "popek: no native libraries\n"), 0), "4 is no boot outcome");
        assertNotNull(Verdict.problem(result(130, "popek: interrupted\n"), 0));
        assertNotNull(Verdict.problem(new CliRun.Result(-1, "", true, 40, -1, null), 0));
        assertNotNull(Verdict.problem(new CliRun.Result(-1, "", false, 1, 0, new OutOfMemoryError()), 0));
        assertTrue(Verdict.problem(new CliRun.Result(2, "popek: x\n", false, 1, Verdict.HEAP_BOUND + 2000, null), 1000).contains("heap"));
        assertNull(Verdict.problem(new CliRun.Result(2, "popek: x\n", false, 1, Verdict.HEAP_BOUND + 2000, null), 3000));
    }

    /** A container's status is its program's: any of those passes, Popek's own (125-127, internal errors) does not. */
    @Test
    void aRunIsHeldToItsProgramsStatus() {
        java.util.List<String> run = java.util.List.of("run", "--rootfs", "r", "/p");
        assertNull(Verdict.problem(run, result(0, ""), 0));
        assertNull(Verdict.problem(run, result(142, ""), 0));
        assertNull(Verdict.problem(run, result(1, ""), 0), "a program's exit 1 is its own");
        assertNotNull(Verdict.problem(run, result(125, "popek: run: bad\n"), 0));
        assertNotNull(Verdict.problem(run, result(127, "popek: not found\n"), 0));
        assertNotNull(Verdict.problem(run, result(0, "popek: internal error in read for process 1: java.lang.NullPointerException\n"), 0));
        assertNotNull(Verdict.problem(run, result(0, "garbage\n"), 0));
        assertNotNull(Verdict.problem(java.util.List.of("boot", "x"), result(1, "garbage\n"), 0), "boot keeps its own rules");
    }

    @Test
    void aDiskChangesOnlyWhereTheGuestWrote() throws Exception {
        byte[] disk = new byte[2048];
        new java.util.Random(1).nextBytes(disk);
        Path orig = Files.write(dir.resolve("d.orig"), disk), d = dir.resolve("d");
        Files.write(d, disk);
        assertNull(DiskCheck.problem(orig, d, false));
        byte[] written = disk.clone();
        for (int i = 512; i < 1024; i += 2) { written[i] = 0x5C; written[i + 1] = (byte) 0xD1; }
        Files.write(d, written);
        assertNull(DiskCheck.problem(orig, d, false), "a sector of marker words");
        assertTrue(DiskCheck.problem(orig, d, true).contains("read-only"));
        written[700] = 0x33;
        Files.write(d, written);
        assertTrue(DiskCheck.problem(orig, d, false).contains("sector 1"));
        Files.write(d, java.util.Arrays.copyOf(disk, 1536));
        assertTrue(DiskCheck.problem(orig, d, false).contains("size"));
    }
}
