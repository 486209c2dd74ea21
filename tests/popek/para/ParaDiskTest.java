package popek.para;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cpu.ExecutionMode;
import popek.testing.GuestRun;

/**
 * One disk image, two drivers: what a para guest writes through the PV block ring is in the file byte for byte, and
 * the unmodified ata-pio guest then reads exactly that through the emulated ATA disk.
 */
class ParaDiskTest {
    private static final long TIMEOUT = 30_000_000_000L;
    private static final int SECTORS = 64;

    @TempDir Path dir;

    /** The ata-pio guest's pattern: byte o of sector s is (s * 7 + o) & 0xff. */
    private static byte[] pattern() {
        byte[] b = new byte[SECTORS * 512];
        for (int s = 0; s < SECTORS; s++) for (int o = 0; o < 512; o++) b[s * 512 + o] = (byte) (s * 7 + o);
        return b;
    }

    @Test
    void writtenThroughTheRingReadBackThroughAta() throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), new byte[SECTORS * 512]);
        GuestRun.Result pv = GuestRun.boot(GuestRun.testGuest("pv-abi.elf"), "disk", new byte[0], TIMEOUT,
                b -> b.mode(ExecutionMode.PARA).disk(disk, false));
        assertFalse(pv.serial().contains("FAIL"), pv.serial());
        assertTrue(pv.serial().contains("pv-abi: disk passed"), pv.serial());
        assertEquals(85, pv.stop().exitCode(), pv.stop().message());
        assertEquals(4, pv.stats().hypercalls(PvAbi.HC_BLOCK_SUBMIT), "one submit per batch: two, the read past the end, the malformed ring");
        assertEquals(2, pv.stats().ringErrors(), "the read past the end and the malformed ring, counted");
        assertArrayEquals(pattern(), Files.readAllBytes(disk), "the file holds what the guest wrote, nothing else");

        GuestRun.Result ata = GuestRun.boot(GuestRun.testGuest("ata-pio.elf"), "readonly", new byte[0], TIMEOUT,
                b -> b.mode(ExecutionMode.FULL).disk(disk, true));
        assertFalse(ata.serial().contains("FAIL"), ata.serial());
        assertEquals(33, ata.stop().exitCode(), ata.stop().message() + "\n" + ata.serial());
    }
}
