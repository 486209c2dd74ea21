package popek.gdb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The stub driven by the real gdb in batch mode (skipped, saying so, where there is none): the boot-gdb test disk
 * (real mode, then protected mode) and tinyos, stopped before their first instruction (-S), in each mode.
 */
class GdbSessionTest {
    private static final Path BOOT_IMAGE = GuestRun.testGuest("boot-gdb.img");
    private static final Path BOOT_ELF = GuestRun.testGuest("obj/boot-gdb.elf");

    @TempDir Path scratch;

    @BeforeEach
    void needGdb() {
        assumeTrue(GdbBatch.gdb() != null, "no gdb on PATH (Debian's gdb package): the stub is tested at the protocol level only");
    }

    private StubHarness bootDisk(ExecutionMode mode) throws Exception {
        Path copy = scratch.resolve("boot-gdb.img");
        Files.copy(BOOT_IMAGE, copy, StandardCopyOption.REPLACE_EXISTING);
        return new StubHarness(b -> b.mode(mode).disk(copy, false), false);
    }

    /**
     * Registers at the first instruction, breakpoints (the guest reading its own code sees no int3), single steps (over
     * a sensitive instruction, rewritten in full mode, and over the guest's own int3, which its own handler takes),
     * a write watchpoint, memory written, kill.
     */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void bootSectorSession(ExecutionMode mode) throws Exception {
        try (StubHarness h = bootDisk(mode)) {
            String out = GdbBatch.run(h.port(), BOOT_ELF,
                    "info registers eip cs cr0",
                    "break rm_function", "continue",
                    "break sensitive_site", "break spin", "continue",
                    "stepi", "printf \"after-sensitive %d\\n\", $pc == &after_sensitive",
                    "stepi", "stepi", "printf \"into-own-handler %d\\n\", $pc == &pm_int3_handler",
                    "delete 2", "continue",
                    "printf \"seen %x rm_calls %d rm_int3s %d pm_int3s %d\\n\", *(int*)0x9014, *(int*)0x9008, *(int*)0x900c, *(int*)0x9010",
                    "delete", "watch *(int*)0x9004", "continue",
                    "printf \"after-store %d\\n\", $pc == &after_watched_store",
                    "set var *(int*)0x9004 = 41", "continue",
                    "kill");
            assertHas(out, "eip\\s+0x7c00\\s");
            assertHas(out, "cs\\s+0x0\\s");
            assertHas(out, "cr0\\s+0x10\\s");   // real mode: PE clear
            assertHas(out, "Breakpoint 1, 0x00007c31 in rm_function");
            assertHas(out, "Breakpoint 2, 0x00007c7b in sensitive_site");
            assertHas(out, "after-sensitive 1");   // one guest instruction, rewritten or not
            assertHas(out, "into-own-handler 1");
            assertHas(out, "Breakpoint 3, 0x00007c8a in spin");
            // 0xff: incl's opcode, not the breakpoint's int3 (0xcc); the guest's own int3s went to its own handlers
            assertHas(out, "seen ff rm_calls 1 rm_int3s 1 pm_int3s 1");
            assertHas(out, "Hardware watchpoint 4: \\*\\(int\\*\\)0x9004\\s+Old value = 0\\s+New value = 1");
            assertHas(out, "after-store 1");
            assertHas(out, "Old value = 41\\s+New value = 42");
            assertHas(out, "\\[Inferior 1 \\(Remote target\\) killed\\]");
            StopReason stop = h.awaitStop();
            assertEquals(StopReason.Cause.INTERRUPTED, stop.cause(), stop.toString());
        }
    }

    /** Ctrl-C stops a spinning guest; detach lets it run on; a second gdb attaches to it, and kills it. */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void interruptDetachAttachAgain(ExecutionMode mode) throws Exception {
        try (StubHarness h = bootDisk(mode)) {
            String first = GdbBatch.runInterrupting(h.port(), BOOT_ELF, "Breakpoint 1, ", 1,
                    "break spin", "continue", "delete", "continue",
                    "printf \"in-loop %d\\n\", $pc >= &spin && $pc <= &after_watched_store",
                    "detach");
            assertHas(first, "Program received signal SIGINT");
            assertHas(first, "in-loop 1");
            assertHas(first, "\\[Inferior 1 \\(Remote target\\) detached\\]");
            assertFalse(h.stop.isDone(), "the guest runs on after detach");
            String second = GdbBatch.runInterrupting(h.port(), BOOT_ELF, "\n", 1,   // (its first line: attached)
                    "printf \"counter %u\\n\", *(unsigned*)0x9000",
                    "continue",
                    "printf \"counter %u\\n\", *(unsigned*)0x9000",
                    "kill");
            Matcher m = Pattern.compile("counter (\\d+)").matcher(second);
            assertTrue(m.find(), second);
            long before = Long.parseLong(m.group(1));
            assertTrue(m.find(), second);
            assertNotEquals(before, Long.parseLong(m.group(1)), "the loop ran between the two stops:\n" + second);
            assertEquals(StopReason.Cause.INTERRUPTED, h.awaitStop().cause());
        }
    }

    /** tinyos: break at a function by name, bt, a global, x/4i, the control and segment registers, a monitor command. */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL", "PARA"})
    void tinyosSession(ExecutionMode mode) throws Exception {
        boolean para = mode == ExecutionMode.PARA;
        Path elf = GuestRun.guestImage(para ? "tinyos-para.elf" : "tinyos.elf");
        String timer = para ? "on_timer_event" : "on_timer";   // (the para build inlines on_timer there)
        try (StubHarness h = new StubHarness(b -> b.mode(mode).multiboot(elf, ""), false)) {
            String out = GdbBatch.run(h.port(), elf,
                    "break " + timer, "continue", "continue", "bt",
                    "printf \"ticks %d\\n\", (int)ticks",
                    "x/4i $pc",
                    "info registers cr0 cs ss gdtr_base tr",
                    "monitor stats",
                    "kill");
            assertHas(out, "Breakpoint 1, 0x[0-9a-f]+ in " + timer + " \\(\\)");
            assertHas(out, "#0  0x[0-9a-f]+ in " + timer);
            assertHas(out, "ticks 1\\n");   // the second tick: the first one counted
            assertHas(out, "=> 0x[0-9a-f]+ <" + timer + "\\+\\d+>:");
            assertHas(out, "cr0\\s+0x[0-9a-f]+\\s+\\[ PE");
            assertHas(out, "cs\\s+0x8\\s");
            assertHas(out, "gdtr_base\\s+0x10[0-9a-f]{4}\\s");
            assertHas(out, "tr\\s+0x28\\s");
            assertHas(out, "so far");
            assertHas(out, "\\[Inferior 1 \\(Remote target\\) killed\\]");
            assertEquals(StopReason.Cause.INTERRUPTED, h.awaitStop().cause());
        }
    }

    /**
     * The sensitive test guest (its own debug registers, int3s, a kernel reading its own code) passes with gdb
     * attached, a hardware and a software breakpoint set in its code, and steps (gdb steps over a breakpoint to go on
     * from it: DR6.BS, which that debug trap sets, must not show).
     */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void guestsOwnDebugRegistersAndInt3Unaffected(ExecutionMode mode) throws Exception {
        Path elf = GuestRun.testGuest("sensitive.elf");
        try (StubHarness h = new StubHarness(b -> b.mode(mode).multiboot(elf, ""), false)) {
            String out = GdbBatch.run(h.port(), elf,
                    "hbreak kmain", "break f_drd", "continue", "continue",
                    "stepi", "continue");   // a step over the instruction that faults (#UD: its handler runs)
            assertHas(out, "Breakpoint 1, 0x[0-9a-f]+ in kmain");
            assertHas(out, "Breakpoint 2, 0x00100bb6 in kmain");   // f_drd (a label in kmain)
            StopReason stop = h.awaitStop();
            assertEquals(33, stop.exitCode(), stop + "\n" + h.serial + "\n" + out);
        }
    }

    private static void assertHas(String out, String regex) {
        assertTrue(Pattern.compile(regex).matcher(out).find(), "gdb's output has no /" + regex + "/:\n" + out);
    }
}
