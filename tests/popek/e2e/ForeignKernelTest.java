package popek.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.cpu.VirtualClock;
import popek.testing.DebianMemtest;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kernels written by no one here, in full mode (the default, which must run whatever emulate mode runs): Debian's memtest86+ 6.10 (its 32-bit bzImage,
 * fetched by {@link DebianMemtest}; skipped, saying why, when it cannot be) sizes memory, turns on PAE paging and
 * tests memory, drawing its screen on the serial console. Before issue 11's fixes full mode stopped it at once ("the
 * guest jumped to physical address 0x200001a4": it had seen long mode in CPUID and gone to IA-32e). It never ends by
 * itself, so it runs for a fixed span of virtual time (the vCPU's CPU time, so a busy host does not cut it short).
 */
class ForeignKernelTest {
    private static final long SPAN = 10_000_000_000L;
    private static final Pattern TEST = Pattern.compile("#(\\d+) +\\[([^\\]]+)\\]");
    /** A progress bar: its percentage, then a '#' per 2.5%. */
    private static final Pattern PROGRESS = Pattern.compile("(\\d+)% #+");

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"FULL"})
    void memtestRunsItsTestsWithPaePaging(ExecutionMode mode) throws Exception {
        GuestRun.Result r = GuestRun.bootLinux(DebianMemtest.ia32(), "console=ttyS0,115200", 64L << 20, SPAN,
                b -> b.mode(mode).clock(VirtualClock.cpuTime()));
        String screen = r.serial();
        String tail = r.stop().message() + "\n" + screen.substring(Math.max(0, screen.length() - 2000));
        assertEquals(StopReason.Cause.TIMEOUT, r.stop().cause(), tail);
        assertTrue(screen.contains("Memtest86+ v6.10"), tail);
        assertTrue(screen.contains("Memory  :   64MB"), "it sized the machine's memory: " + tail);
        assertTrue(screen.contains("[PAE]"), "it runs with PAE paging: " + tail);
        int highest = -1, percent = 0;
        Matcher m = TEST.matcher(screen);
        while (m.find()) highest = Math.max(highest, Integer.parseInt(m.group(1)));
        m = PROGRESS.matcher(screen);
        while (m.find()) percent = Math.max(percent, Integer.parseInt(m.group(1)));
        // (How far it gets in the span varies from run to run, by as much as tests #0 to #5 in emulate mode: its test
        // #0 runs with the caches off, for a time it derives from its own calibration against the PIT.)
        assertTrue(highest >= 0 && percent >= 50, "it went half way through a test at least: " + tail);
        assertTrue(screen.contains("Errors: 0"), tail);
        assertFalse(Pattern.compile("Errors: *[1-9]").matcher(screen).find(), "it found no memory errors: " + tail);
    }
}
