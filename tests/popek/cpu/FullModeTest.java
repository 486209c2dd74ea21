package popek.cpu;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.stats.RunStats;
import popek.testing.FlatKernel;
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

    @TempDir Path dir;

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

    // ---------------------------------------------------------------- writes to code the guest has run

    /** Where {@link #patchGuest} puts its little function, {@code mov al, 1 ; ret}, alone in its page. */
    private static final int PATCHME = FlatKernel.LOAD + 0x1000;
    /** The same page through a second linear address: {@link #patchGuest} maps linear 4-8 MiB onto 0-4 MiB. */
    private static final int ALIAS = 0x400000;

    /**
     * A guest that turns paging on (4 MiB pages, dirty and writable: linear 0-4 MiB and 4-8 MiB both onto physical
     * 0-4 MiB), runs {@code body} and reports AL on the debug-exit port; {@code patchme} at {@link #PATCHME} returns
     * 1 in AL until the guest changes its immediate.
     */
    private Path patchGuest(java.util.function.Consumer<FlatKernel> body) {
        int dirAt = FlatKernel.LOAD + 0x3000;
        FlatKernel k = new FlatKernel()
                .emit(0xC7, 0x05).dword(dirAt).dword(0xE3)        // mov dword [dir], P|RW|A|D|PS (0-4 MiB)
                .emit(0xC7, 0x05).dword(dirAt + 4).dword(0xE3)    // mov dword [dir+4], the same (4-8 MiB)
                .emit(0x0F, 0x20, 0xE0, 0x83, 0xC8, 0x10, 0x0F, 0x22, 0xE0)   // mov eax, cr4 ; or eax, PSE ; mov cr4, eax
                .emit(0xB8).dword(dirAt).emit(0x0F, 0x22, 0xD8)               // mov eax, dir ; mov cr3, eax
                .emit(0x0F, 0x20, 0xC0, 0x0D).dword(0x80000000).emit(0x0F, 0x22, 0xC0);   // cr0.PG on
        body.accept(k);
        k.emit(0xE6, 0xF4, 0xEB, 0xFE);   // out 0xF4, al ; jmp $
        k.emit(new int[PATCHME - k.here()]);
        k.emit(0xB0, 0x01, 0xC3);   // patchme: mov al, 1 ; ret
        return k.writeTo(dir, "patch.bin");
    }

    private static void callPatchme(FlatKernel k) {
        int next = k.here() + 5;
        k.emit(0xE8).dword(PATCHME - next);
    }

    /** {@code mov byte [at], v} */
    private static void storeByte(FlatKernel k, int at, int v) { k.emit(0xC6, 0x05).dword(at).emit(v); }

    /** The guest's AL at the end, read from its debug-exit code, after a run in {@code mode}. */
    private static int finalAl(Path image, ExecutionMode mode) throws Exception {
        Run r = boot(image, mode, 0);
        assertEquals(1, r.stop().exitCode() & 1, r.stop().message());
        return r.stop().exitCode() >>> 1;
    }

    /**
     * The guest runs a function, reads its code (a load: the translation made for it must not let a later store
     * through unseen), rewrites its immediate through the same address and runs it again: the new code runs.
     */
    @Test
    void codeRewrittenAfterTheGuestReadItRunsInItsNewVersion() throws Exception {
        Path image = patchGuest(k -> {
            callPatchme(k);
            k.emit(0xA0).dword(PATCHME);     // mov al, [patchme]
            storeByte(k, PATCHME + 1, 2);    // the immediate: mov al, 2
            callPatchme(k);
        });
        assertEquals(2, finalAl(image, ExecutionMode.EMULATE));
        assertEquals(2, finalAl(image, ExecutionMode.FULL));
    }

    /**
     * The guest stores into the page of code it ran through a second linear address, without changing it, runs the
     * code (the page is compared, and found the same), then rewrites the code through that second address and runs
     * it again: the second store too must be seen.
     */
    @Test
    void codeRewrittenThroughAnAliasAfterAnUnchangingStoreRunsInItsNewVersion() throws Exception {
        Path image = patchGuest(k -> {
            callPatchme(k);
            storeByte(k, ALIAS + PATCHME + 0x800, 0);   // a store that leaves the page as it was
            callPatchme(k);
            storeByte(k, ALIAS + PATCHME + 1, 2);
            callPatchme(k);
        });
        // Only full mode: Unicorn 2.1.1 by itself runs the old code here (emulate mode gives 1).
        assertEquals(2, finalAl(image, ExecutionMode.FULL));
    }

    // ---------------------------------------------------------------- code entered out of the sweep's step

    /**
     * A far jump (emulated) to code in its own page, which is still in the TLB, at an offset the page's sweep did not
     * decode as an instruction: a {@code mov eax, imm32} opcode before the target makes the sweep read the target's
     * first four bytes as an immediate, hiding the {@code hlt} (interrupts off) there. The jump's target is an entry
     * point: the page is decoded again from it, the hlt traps, and the guest stops for good as it does in emulate mode
     * (run natively, the hlt would not be seen and the guest would go on to a debug-exit).
     */
    @Test
    void aFarJumpIntoItsOwnPageOutOfTheSweepsStepRunsTheTargetAsTheCpuWould() throws Exception {
        FlatKernel k = new FlatKernel();
        int target = k.here() + 8;
        k.emit(0xEA).dword(target).emit(0x08, 0x00)    // ljmp 0x08:target (the Multiboot entry's flat code segment)
                .emit(0xB8)                           // a mov eax, imm32 opcode, never run
                .emit(0xF4)                           // target: hlt
                .debugExit(0x11);                     // (not reached)
        assertEquals(target, FlatKernel.ENTRY + 8);
        Path image = k.writeTo(dir, "farjmp.bin");
        for (ExecutionMode mode : new ExecutionMode[] {ExecutionMode.EMULATE, ExecutionMode.FULL}) {
            Run r = boot(image, mode, 0);
            assertEquals(StopReason.Cause.HALTED_FOREVER, r.stop().cause(), mode + ": " + r.stop().message());
        }
    }
}
