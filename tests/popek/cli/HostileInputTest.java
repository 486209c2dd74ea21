package popek.cli;

import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cpu.StopReason;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files a hostile or careless user names as a kernel, an initrd or a disk: each is refused with one line and exit 2
 * before a byte is read, never read without end, never left hanging, never turned into a stack trace or exit 1.
 */
class HostileInputTest {
    @TempDir Path dir;

    private record Outcome(int code, String err) { }

    private Outcome popek(String... args) {
        StringWriter err = new StringWriter();
        int code = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> Main.execute(args, new PrintWriter(err, true), Terminal.detached()));
        return new Outcome(code, err.toString());
    }

    private static void assertOneLine(Outcome o, int code, String containing) {
        assertEquals(code, o.code, o.err);
        assertEquals(1, o.err.lines().count(), "one line: " + o.err);
        assertTrue(o.err.startsWith("popek: "), o.err);
        assertTrue(o.err.contains(containing), o.err);
        assertFalse(o.err.contains("Exception") || o.err.contains("\tat "), o.err);
    }

    /** A sparse file: its size is what the loaders check, and it costs no disk. */
    private Path sparse(String name, long size) throws Exception {
        Path f = dir.resolve(name);
        try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "rw")) {
            r.setLength(size);
        }
        return f;
    }

    @Test
    void filesLargerThanJavaCanHoldAreRefusedUnread() throws Exception {
        Path big = sparse("big.img", 2600L << 20);
        assertOneLine(popek("boot", "--memory", "3G", big.toString()), Main.USAGE, "is 2600 MiB, too big for Popek");
        assertOneLine(popek("boot", "--memory", "3G", "--kernel", big.toString()), Main.USAGE, "is 2600 MiB, too big for Popek");
    }

    @Test
    void filesLargerThanGuestRamAreRefusedUnread() throws Exception {
        Path big = sparse("big.img", 100L << 20);
        Path k = new FlatKernel().powerOff().writeTo(dir, "k.bin");
        assertOneLine(popek("boot", big.toString()), Main.USAGE, "is 100 MiB, too big for guest RAM (64 MiB)");
        assertOneLine(popek("boot", "--kernel", big.toString()), Main.USAGE, "too big for guest RAM (64 MiB)");
        assertOneLine(popek("boot", "--kernel", k.toString(), "--initrd", big.toString()), Main.USAGE,
                big + ": is 100 MiB, too big for guest RAM (64 MiB)");
    }

    @Test
    void devicesAreNotImages() {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/zero")), "no /dev/zero on this machine");
        assertOneLine(popek("boot", "/dev/zero"), Main.USAGE, "/dev/zero: is a character device, not a regular file");
        assertOneLine(popek("boot", "--kernel", "/dev/zero"), Main.USAGE, "is a character device");
        assertOneLine(popek("boot", "--disk", "/dev/zero"), Main.USAGE, "is a character device");
        assertOneLine(popek("boot", "/dev/null"), Main.USAGE, "/dev/null: is a character device");
    }

    /** Opening a FIFO with no writer would block for ever: it is refused by its type, never opened. */
    @Test
    void fifosAreNotImages() throws Exception {
        Path fifo = dir.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        Assumptions.assumeTrue(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && p.exitValue() == 0, "mkfifo failed");
        assertOneLine(popek("boot", fifo.toString()), Main.USAGE, "is a FIFO, not a regular file");
        assertOneLine(popek("boot", "--kernel", fifo.toString()), Main.USAGE, "is a FIFO");
        Path k = new FlatKernel().powerOff().writeTo(dir, "k.bin");
        assertOneLine(popek("boot", "--kernel", k.toString(), "--initrd", fifo.toString()), Main.USAGE, "is a FIFO");
        assertOneLine(popek("boot", "--disk", fifo.toString()), Main.USAGE, "is a FIFO");
    }

    @Test
    void directoriesAreNotImages() {
        assertOneLine(popek("boot", "--kernel", dir.toString()), Main.USAGE, "is a directory");
        assertOneLine(popek("boot", dir.toString()), Main.USAGE, "is a directory");
    }

    /** cmdline_size is unsigned: 0xFFFFFFFF means any length, not "at most -1". */
    @Test
    void anUnsignedCommandLineLimit() throws Exception {
        byte[] bz = new byte[5 * 512 + 4096];
        bz[0x1F1] = 4;                                        // setup_sects
        bz[0x1FE] = 0x55; bz[0x1FF] = (byte) 0xAA;
        bz[0x202] = 'H'; bz[0x203] = 'd'; bz[0x204] = 'r'; bz[0x205] = 'S';
        bz[0x206] = 0x0F; bz[0x207] = 0x02;                   // protocol 2.15
        bz[0x211] = 1;                                        // loaded high
        for (int i = 0; i < 4; i++) bz[0x238 + i] = (byte) 0xFF;   // cmdline_size
        bz[5 * 512] = (byte) 0xF4;                            // the kernel: hlt with IF = 0
        Path f = Files.write(dir.resolve("bzImage"), bz);
        Outcome o = popek("boot", "--kernel", f.toString(), "--cmdline", "x".repeat(5000), "--timeout", "10s");
        assertFalse(o.err.contains("at most"), o.err);
        assertEquals(StopReason.Cause.HALTED_FOREVER.exitCode(), o.code, o.err);
    }

    @Test
    void theModeMessageNamesEveryMode() {
        assertOneLine(popek("boot", "--mode", "bogus", "hello"), Main.USAGE, "use full, emulate or para");
    }

    /**
     * A timeout names the instruction the guest runs even in a code segment whose base is not 0 (issue 18: emulate
     * mode said "where no code can be read" of a guest running code there): lgdt, a far jump into a code segment
     * based at 0x1000, and jmp $ there.
     */
    @Test
    void aTimeoutNamesTheInstructionInASegmentWithABase() throws Exception {
        FlatKernel k = new FlatKernel();
        int gdtr = k.here() + 16;                                   // after the 16 bytes of code
        k.emit(0x0F, 0x01, 0x15).dword(gdtr);                       // lgdt [gdtr]
        int target = k.here() + 7;
        k.emit(0xEA).dword(target - 0x1000).emit(0x18, 0x00);       // jmp far 0x18:(target - 0x1000)
        k.emit(0xEB, 0xFE);                                         // jmp $
        int gdt = gdtr + 8;
        k.emit(0x1F, 0x00).dword(gdt).emit(0, 0);                   // the GDTR: limit, base
        long[] descriptors = {0, 0x00CF9A000000FFFFL, 0x00CF92000000FFFFL, 0x00CF9A001000FFFFL};
        for (long d : descriptors) k.dword((int) d).dword((int) (d >>> 32));
        Path f = k.writeTo(dir, "based.bin");
        for (String mode : new String[] {"emulate", "full"}) {
            Outcome o = popek("boot", f.toString(), "--mode", mode, "--timeout", "3s");
            assertEquals(StopReason.Cause.TIMEOUT.exitCode(), o.code, o.err);
            assertTrue(o.err.contains(String.format("EIP 0x%08x: jmp 0x%x", target - 0x1000, target - 0x1000)), mode + ": " + o.err);
        }
    }
}
