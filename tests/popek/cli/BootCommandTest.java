package popek.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        int code = Main.execute(args, new PrintWriter(err, true), Terminal.detached());
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
    void anUnknownMode() {
        assertOneLine(popek("boot", "--mode", "paravirt", dir.resolve("x").toString()), Main.USAGE, "'paravirt' is not a mode");
    }

    /** An image's kind (its PV note) and the mode must agree: each mismatch is one line and exit 2. */
    @Test
    void paraModeAndParaImagesGoTogether() {
        String plain = popek.testing.GuestRun.testGuest("exit-code.elf").toString();
        String para = popek.testing.GuestRun.testGuest("pv-abi.elf").toString();
        assertOneLine(popek("boot", "--mode", "para", plain), Main.USAGE, plain + " is not para-virtualised (no Popek PV note)");
        assertOneLine(popek("boot", "--mode", "full", para), Main.USAGE, "run it with --mode para");
        assertOneLine(popek("boot", para), Main.USAGE, "is a para-virtualised guest");
    }

    @Test
    void aMalformedCpuidLeaf() {
        assertOneLine(popek("boot", "--cpuid", "0x40000000=1,2,3", dir.resolve("x").toString()), Main.USAGE, "LEAF[.SUB]=EAX");
        assertOneLine(popek("boot", "--cpuid", "zz=1,2,3,4", dir.resolve("x").toString()), Main.USAGE, "LEAF[.SUB]=EAX");
    }

    @Test
    void aTscRateOutOfRange() throws Exception {
        Path k = new FlatKernel().powerOff().writeTo(dir, "k.bin");
        assertOneLine(popek("boot", "--tsc-mhz", "0", k.toString()), Main.USAGE, "--tsc-mhz");
    }

    /** A configured CPUID leaf is what the guest reads, in both modes: here its EBX becomes the exit code. */
    @Test
    void aConfiguredCpuidLeafIsWhatTheGuestSees() throws Exception {
        // mov eax, 0x40000000 ; xor ecx, ecx ; cpuid ; mov eax, ebx ; out 0xF4, al
        Path k = new FlatKernel().emit(0xB8).dword(0x40000000).emit(0x31, 0xC9, 0x0F, 0xA2, 0x89, 0xD8, 0xE6, 0xF4)
                .powerOff().writeTo(dir, "cpuid.bin");
        for (String mode : new String[] {"emulate", "full"}) {
            Outcome o = popek("boot", "--mode", mode, "--cpuid", "0x40000000=0,0x2a,0,0", k.toString());
            assertEquals((0x2a << 1) | 1, o.code, mode + ": " + o.err);
        }
    }

    @Test
    void badDisks() throws Exception {
        Path k = new FlatKernel().powerOff().writeTo(dir, "k.bin");
        assertOneLine(popek("boot", "--disk", dir.resolve("none.img").toString(), k.toString()), Main.USAGE, "no such file");
        Path tiny = Files.write(dir.resolve("tiny.img"), new byte[100]);
        assertOneLine(popek("boot", "--disk", tiny.toString(), k.toString()), Main.USAGE, "smaller than one 512-byte sector");
        Path ok = Files.write(dir.resolve("ok.img"), new byte[4096]);
        assertOneLine(popek("boot", "--disk", ok + ",fast", k.toString()), Main.USAGE, "not a disk option");
        assertOneLine(popek("boot", "--disk", ok.toString(), "--disk", ok.toString(), "--disk", ok.toString(), k.toString()),
                Main.USAGE, "at most two disks");
        assertEquals(0, popek("boot", "--disk", "file=" + ok + ",readonly", k.toString()).code);
    }

    /** What the guest writes to the CGA text buffer is in the --screen-dump file at exit. */
    @Test
    void theScreenDumpHoldsWhatTheGuestWroteToTheCgaBuffer() throws Exception {
        // mov word [0xB8000], 0x0748 ('H') ; mov word [0xB80A2], 0x0769 ('i', row 1 column 1) ; power off
        Path k = new FlatKernel().emit(0x66, 0xC7, 0x05, 0x00, 0x80, 0x0B, 0x00, 0x48, 0x07)
                .emit(0x66, 0xC7, 0x05, 0xA2, 0x80, 0x0B, 0x00, 0x69, 0x07).powerOff().writeTo(dir, "cga.bin");
        Path dump = dir.resolve("screen.txt");
        assertEquals(0, popek("boot", "--screen-dump", dump.toString(), k.toString()).code);
        java.util.List<String> lines = Files.readAllLines(dump);
        assertEquals(25, lines.size());
        assertEquals("H", lines.get(0));
        assertEquals(" i", lines.get(1));
        assertOneLine(popek("boot", "--screen-dump", dir.resolve("no/such/dir/s.txt").toString(), k.toString()),
                Main.USAGE, "no such directory");
    }

    @Test
    void linuxKernelMistakes() throws Exception {
        Path k = new FlatKernel().powerOff().writeTo(dir, "k.bin");
        assertOneLine(popek("boot"), Main.USAGE, "nothing to boot");
        assertOneLine(popek("boot", "--kernel", k.toString(), k.toString()), Main.USAGE, "not both");
        assertOneLine(popek("boot", "--initrd", k.toString(), k.toString()), Main.USAGE, "--initrd goes with --kernel");
        assertOneLine(popek("boot", "--kernel", k.toString()), Main.USAGE, "not a Linux bzImage");
        assertOneLine(popek("boot", "--kernel", dir.resolve("none").toString()), Main.USAGE, "no such file");
    }

    @Test
    void aMissingFile() {
        assertOneLine(popek("boot", dir.resolve("nope.elf").toString()), Main.USAGE, "no such file");
    }

    @Test
    void aDirectory() {
        assertOneLine(popek("boot", dir.toString()), Main.USAGE, "is a directory");
    }

    @Test
    void aFileThatIsNotMultiboot() throws Exception {
        Path f = Files.write(dir.resolve("junk.bin"), new byte[4096]);
        assertOneLine(popek("boot", f.toString()), Main.USAGE, "not a Multiboot image");
    }

    @Test
    void anEmptyFile() throws Exception {
        Path f = Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertOneLine(popek("boot", f.toString()), Main.USAGE, "empty");
    }

    @Test
    void aKernelBiggerThanRam() throws Exception {
        Path f = new FlatKernel().emit(new int[3 << 20]).writeTo(dir, "big.bin");
        assertOneLine(popek("boot", "--memory", "2M", f.toString()), Main.USAGE, "too big for guest RAM (2 MiB)");
    }

    @Test
    void aBadMemorySize() {
        assertOneLine(popek("boot", "--memory", "12Q", "x"), Main.USAGE, "--memory");
        assertOneLine(popek("boot", "--memory", "1M", "x"), Main.USAGE, "--memory");
        assertOneLine(popek("boot", "--memory", "64G", "x"), Main.USAGE, "--memory");
    }

    @Test
    void aBadTimeout() {
        assertOneLine(popek("boot", "--timeout", "soon", "x"), Main.USAGE, "not a duration");
    }

    @Test
    void anUnknownFlag() {
        assertOneLine(popek("boot", "--turbo", "x"), Main.USAGE, "--turbo");
    }

    @Test
    void noCommand() {
        assertOneLine(popek(), Main.USAGE, "which command");
    }

    @Test
    void helpExplainsEveryFlag() {
        StringWriter out = new StringWriter();
        picocli.CommandLine cl = new picocli.CommandLine(new Main(Terminal.detached()));
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
