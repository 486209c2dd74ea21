package popek.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cpu.StopReason;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** User mistakes: one clear line on stderr, a non-zero exit code, never a stack trace. */
class BootCommandTest {
    @TempDir Path dir;

    private record Outcome(int code, String err) { }

    private Outcome popek(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.execute(args, new PrintWriter(err, true));
        return new Outcome(code, err.toString());
    }

    private static void assertOneLine(Outcome o, int code, String containing) {
        assertEquals(code, o.code, o.err);
        assertEquals(1, o.err.lines().count(), "one line: " + o.err);
        assertTrue(o.err.startsWith("popek: "), o.err);
        assertTrue(o.err.contains(containing), o.err);
        assertFalse(o.err.contains("Exception") || o.err.contains("\tat "), o.err);
    }

    @Test
    void aMissingFile() {
        assertOneLine(popek("boot", dir.resolve("nope.elf").toString()), StopReason.USAGE, "no such file");
    }

    @Test
    void aDirectory() {
        assertOneLine(popek("boot", dir.toString()), StopReason.USAGE, "is a directory");
    }

    @Test
    void aFileThatIsNotMultiboot() throws Exception {
        Path f = Files.write(dir.resolve("junk.bin"), new byte[4096]);
        assertOneLine(popek("boot", f.toString()), StopReason.USAGE, "not a Multiboot image");
    }

    @Test
    void anEmptyFile() throws Exception {
        Path f = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertOneLine(popek("boot", f.toString()), StopReason.USAGE, "empty");
    }

    @Test
    void aKernelBiggerThanRam() throws Exception {
        Path f = new FlatKernel().emit(new int[3 << 20]).writeTo(dir, "big.bin");
        assertOneLine(popek("boot", "--memory", "2M", f.toString()), StopReason.USAGE, "");
    }

    @Test
    void aBadMemorySize() {
        assertOneLine(popek("boot", "--memory", "12Q", "x"), StopReason.USAGE, "--memory");
        assertOneLine(popek("boot", "--memory", "1M", "x"), StopReason.USAGE, "--memory");
        assertOneLine(popek("boot", "--memory", "64G", "x"), StopReason.USAGE, "--memory");
    }

    @Test
    void aBadTimeout() {
        assertOneLine(popek("boot", "--timeout", "soon", "x"), StopReason.USAGE, "not a duration");
    }

    @Test
    void anUnknownFlag() {
        assertOneLine(popek("boot", "--turbo", "x"), StopReason.USAGE, "--turbo");
    }

    @Test
    void noCommand() {
        assertOneLine(popek(), StopReason.USAGE, "which command");
    }

    @Test
    void helpExplainsEveryFlag() {
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new Main());
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("boot", "--help"));
        for (String flag : new String[] {"--memory", "--cmdline", "--stats", "--timeout", "Exit codes"}) {
            assertTrue(out.toString().contains(flag), flag + " in:\n" + out);
        }
    }

    @Test
    void durations() {
        BootCommand.DurationConverter d = new BootCommand.DurationConverter();
        assertEquals(10_000_000_000L, d.convert("10s"));
        assertEquals(500_000_000L, d.convert("500ms"));
        assertEquals(120_000_000_000L, d.convert("2m"));
        assertEquals(1_500_000_000L, d.convert("1.5"));
    }
}
