package popek.cpu;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;

import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.stats.RunStats;
import popek.testing.GuestRun;
import popek.testing.Transcript;
import popek.translate.SensitiveClass;
import popek.translate.ShadowCode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Full virtualisation as a whole: which instructions trap, and the shadow code pool under pressure. */
class FullModeTest {
    private static final long TIMEOUT = 60_000_000_000L;

    private record Run(StopReason stop, String serial, RunStats stats, long shadows, long rescans, long purges) { }

    private static Run boot(Path image, ExecutionMode mode, int poolPages) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Machine m = new MachineBuilder().memory(64L << 20).serialOutput(out).timeoutNanos(TIMEOUT)
                .wallClock(Instant.parse("2026-11-22T12:00:00Z")).mode(mode).codePoolPages(poolPages)
                .multiboot(image, "").build()) {
            StopReason r = m.run();
            var code = m.shadowCode();
            return new Run(r, out.toString(StandardCharsets.ISO_8859_1), m.stats(),
                    code == null ? 0 : code.scans(), code == null ? 0 : code.rescans(), code == null ? 0 : code.purges());
        }
    }

    /** Each class the 'sensitive' guest runs in kernel code traps in full mode, and none does in emulate mode. */
    @Test
    void everySensitiveClassTheGuestRunsTrapsInFullModeOnly() throws Exception {
        Path image = GuestRun.testGuest("sensitive.elf");
        Run full = boot(image, ExecutionMode.FULL, 0);
        assertEquals(33, full.stop().exitCode(), full.serial());
        EnumSet<SensitiveClass> expected = EnumSet.of(SensitiveClass.CLI, SensitiveClass.STI, SensitiveClass.PUSHF,
                SensitiveClass.POPF, SensitiveClass.IRET, SensitiveClass.SGDT, SensitiveClass.SIDT, SensitiveClass.LGDT,
                SensitiveClass.LIDT, SensitiveClass.SLDT, SensitiveClass.LLDT, SensitiveClass.STR, SensitiveClass.LTR,
                SensitiveClass.SMSW, SensitiveClass.LMSW, SensitiveClass.CLTS, SensitiveClass.MOV_CR_READ,
                SensitiveClass.MOV_CR_WRITE, SensitiveClass.MOV_DR, SensitiveClass.INVLPG, SensitiveClass.INVD,
                SensitiveClass.WBINVD, SensitiveClass.RDMSR, SensitiveClass.WRMSR, SensitiveClass.RDTSC,
                SensitiveClass.SEG_PUSH, SensitiveClass.SEG_POP, SensitiveClass.SEG_MOV_READ, SensitiveClass.SEG_MOV_WRITE,
                SensitiveClass.SEG_LOAD_FAR, SensitiveClass.FAR_JMP, SensitiveClass.FAR_CALL, SensitiveClass.FAR_RET,
                SensitiveClass.LAR, SensitiveClass.LSL, SensitiveClass.VERR, SensitiveClass.VERW, SensitiveClass.SYSEXIT);
        for (SensitiveClass c : expected) {
            assertTrue(full.stats().sensitive(c) > 0, c + " never trapped in full mode");
        }
        // The guest rewrote code it had run (three times): each new version was scanned again.
        assertTrue(full.rescans() >= 3, "rescans: " + full.rescans());

        Run emulate = boot(image, ExecutionMode.EMULATE, 0);
        assertEquals(33, emulate.stop().exitCode(), emulate.serial());
        for (SensitiveClass c : SensitiveClass.values()) assertEquals(0, emulate.stats().sensitive(c), c.label());
        assertEquals(0, emulate.shadows());
        assertEquals(full.serial(), emulate.serial());
    }

    /**
     * A pool with six pages above its reserve: the 'sensitive' guest's kernel code and the new versions of the code it
     * rewrites fill it, so it is purged while the guest runs; the guest must not notice.
     */
    @Test
    void aFullShadowPoolIsPurgedUnnoticed() throws Exception {
        Path image = GuestRun.testGuest("sensitive.elf");
        Run r = boot(image, ExecutionMode.FULL, ShadowCode.RESERVE + 6);
        List<String> expected = Files.readAllLines(Path.of("tests/guests/expected/sensitive.txt"));
        assertNull(Transcript.mismatch(expected, r.serial().lines().toList()), r.serial());
        assertEquals(33, r.stop().exitCode(), r.stop().message());
        assertTrue(r.purges() >= 1, "purges: " + r.purges());
    }
}
