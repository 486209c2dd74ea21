package popek.platform;

import java.io.OutputStream;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cpu.StopReason;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What a BIOS leaves at 0x40E and 0x413, as a guest reads it. */
class BiosDataAreaTest {
    @TempDir Path dir;

    @Test
    void theGuestFindsTheEbdaSegmentAndTheBaseMemorySize() throws Exception {
        // cmp word [0x413], 639 ; jne fail ; cmp word [0x40E], 0x9FC0 ; jne fail ; power off ; fail: debug-exit 1
        Path image = new FlatKernel()
                .emit(0x66, 0x81, 0x3D, 0x13, 0x04, 0x00, 0x00, 0x7F, 0x02, 0x75, 0x15)
                .emit(0x66, 0x81, 0x3D, 0x0E, 0x04, 0x00, 0x00, 0xC0, 0x9F, 0x75, 0x0A)
                .powerOff().debugExit(1).writeTo(dir, "bda.bin");
        try (Machine m = new MachineBuilder().memory(4 << 20).serialOutput(OutputStream.nullOutputStream())
                .timeoutNanos(20_000_000_000L).multiboot(image, "").build()) {
            StopReason r = m.run();
            assertEquals(0, r.exitCode(), r.message());
        }
    }
}
