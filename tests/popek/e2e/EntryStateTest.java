package popek.e2e;

import java.nio.file.Path;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.MachineBuilder;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Multiboot kernel starts with the same registers in every mode (raw-entry-state prints them all; its transcript,
 * checked by GuestTranscriptTest, holds only what QEMU and the specification agree on), and its very first
 * instruction runs as the CPU would run it, in every mode: raw-hlt-first's is a hlt with interrupts off, hidden by a
 * sweep from the page's start inside the Multiboot header's last bytes (full mode once ran on past it).
 */
class EntryStateTest {
    private static final long TIMEOUT = 30_000_000_000L;

    private static GuestRun.Result boot(String guest, Consumer<MachineBuilder> adjust) throws Exception {
        Path image = GuestRun.testGuest(guest);
        return GuestRun.boot(image, "", new byte[0], TIMEOUT, adjust);
    }

    @Test
    void aMultibootKernelStartsWithTheSameRegistersInEveryMode() throws Exception {
        GuestRun.Result emulate = boot("raw-entry-state.elf", b -> b.mode(ExecutionMode.EMULATE));
        assertEquals(33, emulate.stop().exitCode(), emulate.stop().message());
        assertTrue(emulate.serial().contains("eax=2badb002 ebx=00009000 ecx=00000000 edx=00000000\n"
                + "esi=00000000 edi=00000000 ebp=00000000 esp=00009000\neflags=00000002\n"), emulate.serial());
        assertEquals(emulate.serial(), boot("raw-entry-state.elf", b -> b.mode(ExecutionMode.FULL)).serial(), "full mode");
        assertEquals(emulate.serial(), boot("raw-entry-state.elf", b -> b.mode(ExecutionMode.EMULATE).shadowPaging(true)).serial(),
                "emulate mode on the shadow MMU");
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void aKernelWhoseFirstInstructionIsHltWithInterruptsOffStopsForGood(ExecutionMode mode) throws Exception {
        GuestRun.Result r = boot("raw-hlt-first.elf", b -> b.mode(mode));
        assertEquals(StopReason.Cause.HALTED_FOREVER, r.stop().cause(), r.stop().message());
        assertTrue(r.stop().message().contains("EIP 0x0010000c: hlt"), r.stop().message());
    }
}
