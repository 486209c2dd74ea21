package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cpu.StopReason;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CGA screen as the console of a guest that has no serial one: shown at the end, and typed keys go to the 8042. */
class ScreenRendererTest {
    private static final long TIMEOUT = 20_000_000_000L;

    @TempDir Path dir;

    // mov word [0xB8000], 0x0748 ('H') ; mov word [0xB8002], 0x0769 ('i')
    private static FlatKernel drawsHi() {
        return new FlatKernel().emit(0x66, 0xC7, 0x05, 0x00, 0x80, 0x0B, 0x00, 0x48, 0x07)
                .emit(0x66, 0xC7, 0x05, 0x02, 0x80, 0x0B, 0x00, 0x69, 0x07);
    }

    private static String render(Machine m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new ScreenRenderer(m, new PrintStream(bytes, true, StandardCharsets.US_ASCII), false).finish();
        return bytes.toString(StandardCharsets.US_ASCII);
    }

    @Test
    void aGuestThatOnlyDrawsOnTheScreenHasItPrintedWhenItStops() throws Exception {
        Path k = drawsHi().powerOff().writeTo(dir, "hi.bin");
        try (Machine m = new MachineBuilder().timeoutNanos(TIMEOUT).multiboot(k, "").build()) {
            assertEquals(0, m.run().exitCode());
            assertTrue(m.screenIsConsole());
            String shown = render(m);
            assertEquals(25, shown.lines().count());
            assertEquals("Hi", shown.lines().findFirst().orElseThrow());
        }
    }

    @Test
    void aGuestWithASerialConsoleKeepsIt() throws Exception {
        // mov dx, 0x3F8 ; mov al, 'x' ; out dx, al ; (then draws on the screen too)
        Path k = new FlatKernel().emit(0x66, 0xBA, 0xF8, 0x03, 0xB0, 'x', 0xEE)
                .emit(0x66, 0xC7, 0x05, 0x00, 0x80, 0x0B, 0x00, 0x48, 0x07).powerOff().writeTo(dir, "serial.bin");
        try (Machine m = new MachineBuilder().timeoutNanos(TIMEOUT).multiboot(k, "").build()) {
            assertEquals(0, m.run().exitCode());
            assertFalse(m.screenIsConsole());
            assertEquals("", render(m));
        }
    }

    @Test
    void aGuestThatHasNothingOnTheScreenPrintsNothing() throws Exception {
        Path k = new FlatKernel().powerOff().writeTo(dir, "blank.bin");
        try (Machine m = new MachineBuilder().timeoutNanos(TIMEOUT).multiboot(k, "").build()) {
            assertEquals(0, m.run().exitCode());
            assertEquals("", render(m));
        }
    }

    /** With automatic input, a key typed once the screen is the console reaches the 8042 as its scan code. */
    @Test
    void keysTypedAtAScreenConsoleGoToTheKeyboard() throws Exception {
        Path k = drawsHi()
                .emit(0xB0, 0xF4, 0xE6, 0x60)           // mov al, 0xF4 ; out 0x60, al   (enable scanning)
                .emit(0xE4, 0x64, 0xA8, 0x01, 0x74, 0xFA) // wait: in al, 0x64 ; test al, 1 ; jz wait
                .emit(0xE4, 0x60)                       // in al, 0x60   (the ACK, 0xFA)
                .emit(0xE4, 0x64, 0xA8, 0x01, 0x74, 0xFA) // wait for the key
                .emit(0xE4, 0x60, 0xE6, 0xF4)           // in al, 0x60 ; out 0xF4, al   (exit (code << 1) | 1)
                .writeTo(dir, "key.bin");
        try (Machine m = new MachineBuilder().multiboot(k, "").autoInput(true).timeoutNanos(20_000_000_000L).build()) {
            // Every wait bounded: the typist gives up with the machine's own timeout, and is waited for no longer.
            long giveUp = System.nanoTime() + 20_000_000_000L;
            Thread typist = Thread.ofPlatform().daemon().start(() -> {
                while (!m.screenIsConsole()) {
                    if (System.nanoTime() > giveUp) return;
                    LockSupport.parkNanos(1_000_000);
                }
                m.input('a');
            });
            StopReason r = m.run();
            assertTrue(typist.join(Duration.ofSeconds(30)), "the typist thread ended");
            assertTrue(m.screenIsConsole(), "the screen became the console");
            assertEquals((0x1E << 1) | 1, r.exitCode(), r.message());   // 'a' is scan code 1Eh (make)
        }
    }
}
