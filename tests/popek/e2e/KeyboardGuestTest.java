package popek.e2e;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Terminal input as PC keyboard scan codes (--input keyboard): the kbd-echo guest checks the 8042 (self-test,
 * identify, A20 through the output port and port 0x92), then decodes a typed line from IRQ 1 and echoes it.
 */
class KeyboardGuestTest {
    private static final long TIMEOUT = 60_000_000_000L;

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void aLineTypedOnTheKeyboardComesBackUpperCased(ExecutionMode mode) throws Exception {
        byte[] typed = Files.readAllBytes(Path.of("tests/guests/input/kbd-echo.txt"));
        GuestRun.Result r = GuestRun.boot(GuestRun.testGuest("kbd-echo.elf"), "", typed, TIMEOUT,
                b -> b.mode(mode).keyboardInput(true));
        assertEquals(33, r.stop().exitCode(), r.serial() + "\n" + r.stop().message());
        assertTrue(r.lines().contains("typed: HELLO, 8042!"), r.serial());
        for (String check : new String[] {"controller self-test: ok", "keyboard identify: ok",
                "A20 off through the output port: ok", "A20 on through port 0x92: ok"}) {
            assertTrue(r.lines().contains(check), check + " in\n" + r.serial());
        }
    }
}
