package popek.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import popek.cpu.ExecutionMode;
import popek.para.PvAbi;
import popek.stats.TrapKind;
import popek.testing.GuestRun;
import popek.testing.Transcript;
import popek.translate.SensitiveClass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The para-virtualised builds of tinyos and trapbench under {@code --mode para}: the same transcript rules as
 * {@link GuestTranscriptTest}, against {@code tests/guests/expected/NAME-para.txt}, and the para interface doing the
 * work (events by upcall and HC_BLOCK, no PIC interrupt, no hlt, no sti).
 */
class ParaGuestTranscriptTest {
    private static final Path EXPECTED = Path.of("tests/guests/expected");
    private static final long TIMEOUT = 60_000_000_000L;

    private static GuestRun.Result boot(String image, String cmdline) throws Exception {
        return GuestRun.boot(GuestRun.guestImage(image), cmdline, new byte[0], TIMEOUT, b -> b.mode(ExecutionMode.PARA));
    }

    private static void matches(String expectedName, GuestRun.Result r) throws Exception {
        List<String> expected = Files.readAllLines(EXPECTED.resolve(expectedName));
        assertNull(Transcript.mismatch(expected, r.lines()), () -> "serial output differs; the guest wrote:\n" + r.serial()
                + "\n(stopped: " + r.stop().message() + ")");
        assertEquals(33, r.stop().exitCode(), r.stop().message());
    }

    /** The para build promises the unmodified one's lines but for the two that name the platform's timer hardware. */
    @Test
    void paraTinyosExpectsTheSameLinesButThePlatformOnes() throws Exception {
        List<String> plain = Files.readAllLines(EXPECTED.resolve("tinyos.txt"));
        List<String> para = Files.readAllLines(EXPECTED.resolve("tinyos-para.txt"));
        assertEquals(plain.size(), para.size());
        for (int i = 0; i < plain.size(); i++) {
            boolean platform = plain.get(i).startsWith("pic: ") || plain.get(i).startsWith("pit: ");
            if (!platform) assertEquals(plain.get(i), para.get(i));
        }
    }

    @Test
    void tinyos() throws Exception {
        GuestRun.Result r = boot("tinyos-para.elf", "");
        matches("tinyos-para.txt", r);
        assertEquals(0, r.stats().traps(TrapKind.EXTERNAL_INTERRUPT), "no PIC interrupt");
        assertEquals(0, r.stats().traps(TrapKind.HALT), "HC_BLOCK, not hlt");
        assertEquals(0, r.stats().sensitive(SensitiveClass.STI), "upcall_mask stores, not sti");
        assertTrue(r.stats().hypercalls(PvAbi.HC_SET_TIMER) >= 10, "the tick is a re-armed one-shot timer");
        assertTrue(r.stats().hypercalls(PvAbi.HC_BLOCK) >= 1);
        assertTrue(r.stats().traps(TrapKind.UPCALL) >= 10, "timer events arrive by upcall");
        assertEquals(1, r.stats().hypercalls(PvAbi.HC_EXIT));
    }

    @Test
    void trapbench() throws Exception {
        GuestRun.Result r = boot("trapbench-para.elf", "iterations=2000");
        matches("trapbench-para.txt", r);
        assertEquals(0, r.stats().sensitive(SensitiveClass.STI), "cli_sti masks by stores");
        assertEquals(0, r.stats().traps(TrapKind.HALT), "hlt_timer blocks by HC_BLOCK");
        assertTrue(r.stats().hypercalls(PvAbi.HC_VERSION) >= 2000, "out_null is the null hypercall");
        assertTrue(r.stats().hypercalls(PvAbi.HC_NEW_BASEPTR) >= 2000);
        assertTrue(r.stats().hypercalls(PvAbi.HC_TLB_FLUSH) >= 2000);
        assertTrue(r.stats().hypercalls(PvAbi.HC_MMU_UPDATE) >= 4000, "pagefault maps and unmaps by HC_MMU_UPDATE");
        assertTrue(r.stats().hypercalls(PvAbi.HC_BLOCK) >= 2000);
    }
}
