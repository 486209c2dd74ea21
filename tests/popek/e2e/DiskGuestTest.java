package popek.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.testing.GuestRun;
import popek.testing.Transcript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ata-pio guest drives the primary ATA channel (IDENTIFY, reads by insw and insl, a write, errors, IRQ 14): its
 * output must match the transcript recorded under QEMU with the same disk, and the image file must then hold exactly
 * what the guest wrote (QEMU's copy of the image ended byte for byte the same).
 */
class DiskGuestTest {
    private static final long TIMEOUT = 60_000_000_000L;
    private static final int SECTORS = 64;

    @TempDir Path dir;

    /** Byte o of sector s is (s * 7 + o) & 0xff. */
    private static byte[] image() {
        byte[] b = new byte[SECTORS * 512];
        for (int s = 0; s < SECTORS; s++) for (int o = 0; o < 512; o++) b[s * 512 + o] = (byte) (s * 7 + o);
        return b;
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void theGuestReadsAndWritesTheDiskAsUnderQemu(ExecutionMode mode) throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), image());
        GuestRun.Result r = GuestRun.boot(GuestRun.testGuest("ata-pio.elf"), "", new byte[0], TIMEOUT,
                b -> b.mode(mode).disk(disk, false));
        List<String> expected = Files.readAllLines(Path.of("tests/guests/expected/ata-pio.txt"));
        assertNull(Transcript.mismatch(expected, r.lines()), r.serial());
        assertEquals(33, r.stop().exitCode(), r.stop().message());

        byte[] want = image();
        for (int i = 0; i < 256; i++) {
            want[2 * 512 + 2 * i] = (byte) (0x5700 + i);
            want[2 * 512 + 2 * i + 1] = (byte) ((0x5700 + i) >> 8);
        }
        assertArrayEquals(want, Files.readAllBytes(disk), "sector 2 rewritten, nothing else touched");
    }

    /** QEMU refuses read-only IDE disks, so this one is Popek's own: the write fails with ABRT and the file is kept. */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void aReadOnlyDiskRejectsTheWriteAndIsLeftAlone(ExecutionMode mode) throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), image());
        GuestRun.Result r = GuestRun.boot(GuestRun.testGuest("ata-pio.elf"), "readonly", new byte[0], TIMEOUT,
                b -> b.mode(mode).disk(disk, true));
        assertEquals(33, r.stop().exitCode(), r.serial());
        assertTrue(r.lines().contains("write to a read-only disk: ABRT: ok"), r.serial());
        assertTrue(Arrays.equals(image(), Files.readAllBytes(disk)), "the image is unchanged");
    }

    /**
     * The apic guest finds the MP table, runs the local APIC timer (periodic, one-shot) and takes the PIT's and the
     * disk's interrupts through the IOAPIC with the 8259s masked: the same transcript as under QEMU (SeaBIOS's MP
     * table, QEMU's APICs), in both modes. It only reads the disk.
     */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void theApicGuestTakesTimerAndDiskInterruptsThroughTheApicsAsUnderQemu(ExecutionMode mode) throws Exception {
        Path disk = Files.write(dir.resolve("disk.img"), image());
        GuestRun.Result r = GuestRun.boot(GuestRun.testGuest("apic.elf"), "", new byte[0], TIMEOUT,
                b -> b.mode(mode).disk(disk, false));
        List<String> expected = Files.readAllLines(Path.of("tests/guests/expected/apic.txt"));
        assertNull(Transcript.mismatch(expected, r.lines()), r.serial());
        assertEquals(33, r.stop().exitCode(), r.stop().message());
        assertArrayEquals(image(), Files.readAllBytes(disk));
    }
}
