package popek.e2e;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import popek.cpu.StopReason;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Keys typed while the guest runs (from another thread, as the terminal does) reach its UART, however they race the run loop. */
class TerminalInputTest {
    @Test
    void typedLinesAreEchoedByTheGuest() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int round = 0; round < 20; round++) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (Machine m = new MachineBuilder().memory(16L << 20).serialOutput(out).timeoutNanos(30_000_000_000L)
                        .multiboot(GuestRun.testGuest("uart-echo.elf"), "").build()) {
                    Thread typist = Thread.ofPlatform().start(() -> {
                        for (byte b : "hello, popek\nirq mode works!\n".getBytes(StandardCharsets.US_ASCII)) {
                            m.input(b);
                            // A person's (or a pipe's) pace: the queue runs dry between keys, so each key has to
                            // wake the run loop on its own, which is where a lost wake-up would hang the guest.
                            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                        }
                    });
                    StopReason r = m.run();
                    typist.join();
                    String text = out.toString(StandardCharsets.US_ASCII);
                    assertEquals(33, r.exitCode(), r.message() + "\n" + text);
                    assertTrue(text.contains("HELLO, POPEK\n") && text.contains("IRQ MODE WORKS!\n"), text);
                }
            }
        });
    }
}
