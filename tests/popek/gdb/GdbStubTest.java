package popek.gdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stub at the protocol level (no gdb needed): the boot-gdb test disk under a client that sends what gdb sends,
 * in emulate and full mode.
 */
class GdbStubTest {
    private static final Path IMAGE = GuestRun.testGuest("boot-gdb.img");
    private static Map<String, Long> sym;

    @TempDir Path scratch;

    @BeforeAll
    static void symbols() throws Exception {
        sym = StubHarness.symbols(GuestRun.testGuest("obj/boot-gdb.elf"));
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void attachContinueAndInterruptAgainAndAgain(ExecutionMode mode) throws Exception {
        // The interrupt comes at different points of the run (before the resume is taken, in real mode, in the loop).
        for (int round = 0; round < 5; round++) {
            try (StubHarness h = StubHarness.bootDisk(IMAGE, mode, scratch)) {
                assertTrue(h.gdb.ask("qSupported:multiprocess+;swbreak+;hwbreak+").contains("PacketSize="));
                assertEquals("T05thread:01;", h.gdb.ask("?"));
                h.gdb.ask("g");
                h.gdb.tell("vCont;c");
                Thread.sleep(round % 5 * 20L);
                h.gdb.interrupt();
                String stop = h.gdb.reply();
                assertEquals("T02thread:01;", stop, "round " + round);
                // Wherever it was stopped, it goes on to the spin loop.
                h.gdb.ask("Z0," + Long.toHexString(sym.get("spin")) + ",1");
                h.gdb.tell("vCont;c");
                assertEquals("T05swbreak:;thread:01;", h.gdb.reply(), "round " + round);
                assertEquals(sym.get("spin"), h.eip(), "round " + round);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void breakpointsAreInvisibleAndStepsAreOneInstruction(ExecutionMode mode) throws Exception {
        try (StubHarness h = StubHarness.bootDisk(IMAGE, mode, scratch)) {
            long fn = sym.get("rm_function");
            assertEquals(0x7C00, h.eip());
            assertEquals("OK", h.gdb.ask("Z0," + Long.toHexString(fn) + ",1"));
            h.gdb.tell("c");
            assertEquals("T05swbreak:;thread:01;", h.gdb.reply());
            assertEquals(fn, h.eip());
            byte[] disk = Files.readAllBytes(IMAGE);
            int at = (int) (fn - 0x7C00);
            assertArrayEquals(java.util.Arrays.copyOfRange(disk, at, at + 8), h.memory(fn, 8), "the guest's own bytes, no int3");
            h.gdb.ask("z0," + Long.toHexString(fn) + ",1");
            h.gdb.tell("s");
            assertEquals("T05thread:01;", h.gdb.reply());
            assertEquals(fn + 4, h.eip(), "one instruction: incw rm_calls");
        }
    }
}
