package popek.fuzz.devices;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

import popek.cli.Main;
import popek.cli.Terminal;
import popek.fuzz.harness.FuzzLoop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The devices target, briefly, with a fixed seed: device, hypercall and ring sequences never break a promise. */
class DeviceFuzzTest {
    static final int CASES = 24;

    @Test
    void randomDeviceAndHypercallSequencesKeepEveryPromise() throws Exception {
        StringWriter out = new StringWriter();
        var summary = new FuzzLoop(new FuzzLoop.Options("devices", 5, 0, CASES, 0, null, false), new DeviceCases())
                .run((args, err, guestOut) -> Main.execute(args, err, Terminal.capturing(guestOut)), new PrintWriter(out, true));
        assertEquals(0, summary.failures(), out + summary.line());
        assertEquals(CASES, summary.cases());
        // Most guests reach their debug-exit (0x42: exit 133): the accesses ran, not just the first few.
        assertTrue(summary.byExit().getOrDefault(133, 0) >= CASES / 4, summary.line());
    }

    /** The guest really writes the disk: an ATA write of marker words lands, and the check accepts exactly that. */
    @Test
    void theDiskCheckSeesAGuestsAtaWrite() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("dev-ata");
        try {
            Code c = new Code(GuestLayout.ENTRY);
            c.lidt(GuestLayout.IDTR).out(0x1F6, 1, 0xE0).out(0x1F2, 1, 1).out(0x1F3, 1, 5).out(0x1F4, 1, 0).out(0x1F5, 1, 0)
                    .out(0x1F7, 1, 0x30).movImm(2, 0x1F0).raw(0x66, 0xB8).imm16(popek.fuzz.harness.DiskCheck.MARKER_WORD)
                    .loop(256, 0x66, 0xEF).out(0xF4, 1, 0x42);
            java.nio.file.Files.write(dir.resolve("g.elf"), GuestLayout.image(c.bytes(), false));
            byte[] disk = new byte[DeviceCases.DISK_BYTES];
            new java.util.Random(3).nextBytes(disk);
            java.nio.file.Files.write(dir.resolve("disk.img"), disk);
            java.nio.file.Files.write(dir.resolve("disk.img.orig"), disk);
            StringWriter err = new StringWriter();
            int code = Main.execute(new String[] {"boot", dir.resolve("g.elf").toString(), "--mode", "full", "--memory", "8M",
                "--disk", dir.resolve("disk.img").toString(), "--timeout", "10s"}, new PrintWriter(err, true), Terminal.detached());
            assertEquals(133, code, err.toString());
            byte[] after = java.nio.file.Files.readAllBytes(dir.resolve("disk.img"));
            assertEquals(0x5C, after[5 * 512] & 0xFF, "sector 5 written");
            assertEquals(null, DeviceCases.disksWrittenOnlyByTheGuest(dir, null));
            after[5 * 512 + 7] = 0x11;   // what the guest never wrote
            java.nio.file.Files.write(dir.resolve("disk.img"), after);
            assertTrue(DeviceCases.disksWrittenOnlyByTheGuest(dir, null).contains("sector 5"));
        } finally {
            try (var s = java.nio.file.Files.walk(dir)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
