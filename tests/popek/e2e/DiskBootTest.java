package popek.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.BootImageException;
import popek.platform.MachineBuilder;
import popek.testing.GuestRun;
import popek.testing.Transcript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Booting from a disk's sector 0, in real mode, as a BIOS would start it. The boot-disk guest goes from real mode to
 * protected mode to paging, loads its second stage and reads and writes sectors by PIO; its output must match the
 * transcript recorded under QEMU (SeaBIOS booting the same image), and the disk must end byte for byte as QEMU left
 * its copy. Hand-made boot sectors check real-mode events and the absent BIOS.
 */
class DiskBootTest {
    private static final long TIMEOUT = 30_000_000_000L;
    private static final int SECTORS = 64;

    @TempDir Path dir;

    /** The built boot-disk image, then sectors whose byte o of sector s is (s * 7 + o) & 0xff, up to 64 sectors. */
    private static byte[] image() throws Exception {
        byte[] code = Files.readAllBytes(GuestRun.testGuest("boot-disk.img"));
        byte[] b = new byte[SECTORS * 512];
        for (int s = 0; s < SECTORS; s++) for (int o = 0; o < 512; o++) b[s * 512 + o] = (byte) (s * 7 + o);
        assertTrue(code.length <= 40 * 512, "the guest's image runs into the sectors it tests");
        System.arraycopy(code, 0, b, 0, code.length);
        return b;
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void theBootDiskGuestRunsAsUnderQemuAndItsWriteIsOnTheImage(ExecutionMode mode) throws Exception {
        Path disk = Files.write(dir.resolve("boot.img"), image());
        GuestRun.Result r = GuestRun.bootDisk(disk, TIMEOUT, b -> b.mode(mode));
        List<String> expected = Files.readAllLines(Path.of("tests/guests/expected/boot-disk.txt"));
        assertNull(Transcript.mismatch(expected, r.lines()), r.serial());
        assertEquals(33, r.stop().exitCode(), r.stop().message());

        byte[] want = image();
        for (int i = 0; i < 256; i++) {
            want[41 * 512 + 2 * i] = (byte) (0xB000 + i);
            want[41 * 512 + 2 * i + 1] = (byte) ((0xB000 + i) >> 8);
        }
        assertArrayEquals(want, Files.readAllBytes(disk), "sector 41 rewritten, nothing else touched");
    }

    /** A boot sector of its own: 512 bytes, the code first, 55 AA last. */
    private Path bootSector(int... code) throws Exception {
        byte[] b = new byte[512];
        for (int i = 0; i < code.length; i++) b[i] = (byte) code[i];
        b[510] = 0x55;
        b[511] = (byte) 0xAA;
        return Files.write(dir.resolve("sector.img"), b);
    }

    /**
     * Real-mode events through the guest's own IVT entries (int 60h and #UD: FLAGS, CS, IP pushed, IF cleared, iret
     * back), and a BIOS call (int 10h) into the IVT entries Popek left: counted, answered CF=1, AH=86h.
     */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void realModeEventsGoThroughTheIvtAndBiosCallsAreCountedAndRefused(ExecutionMode mode) throws Exception {
        Path disk = bootSector(
                0xFA,                                        // cli
                0x31, 0xC0,                                  // xor ax, ax
                0x8E, 0xD8,                                  // mov ds, ax
                0xC7, 0x06, 0x80, 0x01, 0x4A, 0x7C,          // mov word [0x60*4], int60
                0xC7, 0x06, 0x82, 0x01, 0x00, 0x00,          // mov word [0x60*4+2], 0
                0xC7, 0x06, 0x18, 0x00, 0x5D, 0x7C,          // mov word [6*4], ud_handler
                0xC7, 0x06, 0x1A, 0x00, 0x00, 0x00,          // mov word [6*4+2], 0
                0xBB, 0x00, 0x00,                            // mov bx, 0
                0xFB,                                        // sti   (every 8259 input is masked)
                0xCD, 0x60,                                  // int 0x60
                0x81, 0xFB, 0x60, 0x60,                      // cmp bx, 0x6060
                0x75, 0x1D,                                  // jne fail
                0x0F, 0x0B,                                  // ud2
                0x81, 0xFB, 0x06, 0x06,                      // cmp bx, 0x0606
                0x75, 0x15,                                  // jne fail
                0xB8, 0x41, 0x0E,                            // mov ax, 0x0e41
                0xF8,                                        // clc
                0xCD, 0x10,                                  // int 0x10
                0x73, 0x0D,                                  // jnc fail
                0x80, 0xFC, 0x86,                            // cmp ah, 0x86
                0x75, 0x08,                                  // jne fail
                0x3C, 0x41,                                  // cmp al, 0x41
                0x75, 0x04,                                  // jne fail
                0xB0, 0x10,                                  // mov al, 0x10
                0xE6, 0xF4,                                  // out 0xf4, al        (pass: 33)
                0xB0, 0x11,                                  // fail: mov al, 0x11
                0xE6, 0xF4,                                  // out 0xf4, al        (fail: 35)
                0x9C,                                        // int60: pushf
                0x58,                                        // pop ax
                0xA9, 0x00, 0x02,                            // test ax, 0x200
                0x75, 0xF5,                                  // jnz fail            (IF must be clear)
                0x89, 0xE5,                                  // mov bp, sp
                0x83, 0x7E, 0x02, 0x00,                      // cmp word [bp+2], 0  (the pushed CS)
                0x75, 0xED,                                  // jne fail
                0xBB, 0x60, 0x60,                            // mov bx, 0x6060
                0xCF,                                        // iret
                0x89, 0xE5,                                  // ud_handler: mov bp, sp
                0x83, 0x46, 0x00, 0x02,                      // add word [bp], 2    (skip the ud2)
                0xBB, 0x06, 0x06,                            // mov bx, 0x0606
                0xCF);                                       // iret
        GuestRun.Result r = GuestRun.bootDisk(disk, TIMEOUT, b -> b.mode(mode));
        assertEquals(33, r.stop().exitCode(), r.stop().message());
        assertEquals(1, r.stats().biosCalls(0x10));
        assertTrue(r.stats().biosCallSummary().contains("int 0x10 (last AH=0x0e) 1 time"), r.stats().biosCallSummary());
    }

    @Test
    void aRealModeExceptionIntoTheMissingBiosStopsWithTheReason() throws Exception {
        Path disk = bootSector(0x90, 0x0F, 0x0B);   // nop; ud2
        GuestRun.Result r = GuestRun.bootDisk(disk, TIMEOUT, b -> { });
        assertEquals(StopReason.Cause.UNSUPPORTED, r.stop().cause(), r.stop().message());
        assertTrue(r.stop().message().contains("#UD invalid opcode in real mode"), r.stop().message());
        assertTrue(r.stop().message().contains("CS:IP 0000:7c01"), r.stop().message());
    }

    @Test
    void aDiskWithoutTheBootSignatureIsRefused() throws Exception {
        Path disk = Files.write(dir.resolve("blank.img"), new byte[4096]);
        BootImageException e = assertThrows(BootImageException.class, () -> new MachineBuilder().disk(disk, false).build());
        assertTrue(e.getMessage().contains("not a boot disk"), e.getMessage());
        assertArrayEquals(new byte[4096], Files.readAllBytes(disk));
    }
}
