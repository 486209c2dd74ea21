package popek.para;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.BootImageException;
import popek.platform.MachineBuilder;
import popek.stats.TrapKind;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The host side of --mode para, driven by the pv-abi test guest (tests/guests/pv-abi), one scenario per run. */
class ParaModeTest {
    private static final long TIMEOUT = 20_000_000_000L;
    private static final Path PV_ABI = GuestRun.testGuest("pv-abi.elf");

    private static GuestRun.Result para(String scenario) throws Exception {
        return GuestRun.boot(PV_ABI, scenario, new byte[0], TIMEOUT, b -> b.mode(ExecutionMode.PARA));
    }

    private static void passed(GuestRun.Result r, String scenario) {
        assertFalse(r.serial().contains("FAIL"), r.serial());
        assertTrue(r.serial().contains("pv-abi: " + scenario + " passed"), r.serial());
        assertEquals(85, r.stop().exitCode(), r.stop().message() + "\n" + r.serial());   // HC_EXIT(0x2a), as debug-exit
    }

    @Test
    void everyHypercallAnswersGoodAndBadArguments() throws Exception {
        GuestRun.Result r = para("basic");
        passed(r, "basic");
        assertTrue(r.serial().contains("  (console)\n"), "HC_CONSOLE_WRITE reaches the console");
        assertTrue(r.stats().traps(TrapKind.HYPERCALL) > 30);
        assertTrue(r.stats().hypercalls(PvAbi.HC_MMU_UPDATE) == 6);
        assertEquals(1, r.stats().hypercalls(PvAbi.HC_EXIT));
        assertEquals(1, r.stats().hypercalls(4000), "a number past the page is counted in one row");
    }

    @Test
    void eventsWaitWhileMaskedAndBlockWakesOnTheTimer() throws Exception {
        GuestRun.Result r = para("upcall");
        passed(r, "upcall");
        assertEquals(3, r.stats().traps(TrapKind.UPCALL));
        assertEquals(0, r.stats().traps(TrapKind.EXTERNAL_INTERRUPT), "no PIC interrupt reaches a para guest");
    }

    @Test
    void blockingWithNothingToWakeTheGuestStopsIt() throws Exception {
        GuestRun.Result r = para("forever");
        assertEquals(StopReason.Cause.HALTED_FOREVER, r.stop().cause(), r.stop().message());
        assertTrue(r.stop().message().contains("blocked forever"), r.stop().message());
    }

    @Test
    void theTrapTableReplacesTheIdt() throws Exception {
        GuestRun.Result r = para("trap");
        assertFalse(r.serial().contains("FAIL"), r.serial());
        assertTrue(r.serial().contains("ok: an entry that masks events set upcall_mask"), r.serial());
        assertEquals(StopReason.Cause.UNSUPPORTED, r.stop().cause(), r.stop().message());
        assertTrue(r.stop().message().contains("trap table (HC_SET_TRAP_TABLE) has no entry"), r.stop().message());
    }

    @Test
    void aHypercallFromRing3IsRefused() throws Exception {
        passed(para("ring3"), "ring3");
    }

    @Test
    void pageTableUpdatesAndAddressSpacesThroughHypercalls() throws Exception {
        GuestRun.Result r = para("paging");
        passed(r, "paging");
        assertTrue(r.lines().contains("first") && r.lines().contains("second"), "HC_CONSOLE_WRITE read the frames the guest's tables map: " + r.serial());
    }

    @Test
    void aParaGuestIsRefusedInTheOtherModes() {
        for (ExecutionMode m : new ExecutionMode[] {ExecutionMode.FULL, ExecutionMode.EMULATE}) {
            BootImageException e = assertThrows(BootImageException.class,
                    () -> new MachineBuilder().mode(m).multiboot(PV_ABI, "").build().close());
            assertEquals(PV_ABI + " is a para-virtualised guest (it carries Popek's PV note): run it with --mode para", e.getMessage());
        }
    }

    @Test
    void anUnmodifiedGuestIsRefusedInParaMode() {
        Path plain = GuestRun.testGuest("exit-code.elf");
        BootImageException e = assertThrows(BootImageException.class,
                () -> new MachineBuilder().mode(ExecutionMode.PARA).multiboot(plain, "").build().close());
        assertEquals(plain + " is not para-virtualised (no Popek PV note): para mode needs a guest built for it "
                + "(see README, The para-virtual interface)", e.getMessage());
    }

    @Test
    void theNoteIsFoundAndChecked() {
        PvNote ok = new PvNote(PvAbi.VERSION, 0x10B000, 0x10C000);
        assertEquals(null, ok.problem(64L << 20));
        assertTrue(new PvNote(0x00020000, 0x10B000, 0x10C000).problem(64L << 20).contains("ABI 2.0"));
        assertTrue(new PvNote(PvAbi.VERSION, 0x10B004, 0x10C000).problem(64L << 20).contains("not page-aligned"));
        assertTrue(new PvNote(PvAbi.VERSION, 0x10B000, 0x8000000).problem(64L << 20).contains("outside guest RAM"));
    }
}
