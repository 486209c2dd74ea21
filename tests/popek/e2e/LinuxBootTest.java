package popek.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.cpu.ExecutionMode;
import popek.testing.DebianKernel;
import popek.testing.GuestRun;
import popek.testing.Initramfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Debian 12's i386 kernel, fetched from Debian's archive during the run ({@link DebianKernel}; the test is skipped,
 * saying why, when it cannot be), boots with an initramfs written here to its {@code /init}, which says hello on the
 * console and powers the machine off. In each mode, two ways: with the README's command line, where Linux finds the
 * local APIC and the IOAPIC in the MP table and takes its timer through them, and with {@code noapic nolapic}, which
 * keeps it on the 8259s.
 */
class LinuxBootTest {
    /** The README's command line. */
    static final String CMDLINE = "console=ttyS0 acpi=off lpj=1000000 notsc";
    static final String CMDLINE_8259 = "console=ttyS0 noapic nolapic acpi=off lpj=1000000 notsc";
    /** Linux's LOCAL_TIMER_VECTOR: the local APIC timer's interrupts come through it, the 8259's never. */
    private static final int LOCAL_TIMER_VECTOR = 0xEC;
    private static final long MEMORY = 256L << 20;
    private static final long TIMEOUT = 180_000_000_000L;

    @TempDir Path dir;

    static Stream<Arguments> boots() {
        return Stream.of(ExecutionMode.EMULATE, ExecutionMode.FULL)
                .flatMap(m -> Stream.of(Arguments.of(m, true), Arguments.of(m, false)));
    }

    @ParameterizedTest(name = "{0}, APIC {1}")
    @MethodSource("boots")
    void debianKernelRunsInitAndPowersOff(ExecutionMode mode, boolean apic) throws Exception {
        Path kernel = DebianKernel.bzImage();
        Path initrd = Files.write(dir.resolve("initrd.cpio"), Initramfs.withHelloInit());
        GuestRun.Result r = GuestRun.bootLinux(kernel, initrd, apic ? CMDLINE : CMDLINE_8259, MEMORY, mode, TIMEOUT);
        String tail = r.stop().message() + "\n" + r.serial().substring(Math.max(0, r.serial().length() - 4000));
        assertTrue(r.lines().contains(Initramfs.INIT_LINE), tail);
        assertEquals(0, r.stop().exitCode(), tail);
        long apicTicks = r.stats().vectors(LOCAL_TIMER_VECTOR);
        if (apic) {
            assertTrue(r.serial().contains("Enabling APIC mode:  Flat.  Using 1 I/O APICs"), r.serial());
            assertTrue(r.serial().contains("..TIMER: vector=0x30 apic1=0 pin1=2"),
                    "the PIT's interrupt through the IOAPIC's pin 2:\n" + r.serial());
            assertTrue(apicTicks > 0, "the local APIC timer's interrupts were delivered:\n" + r.serial());
        } else {
            assertTrue(r.serial().contains("APIC: Keep in PIC mode(8259)"), r.serial());
            assertFalse(r.serial().contains("Enabling APIC mode"), r.serial());
            assertEquals(0, apicTicks, "no local APIC timer interrupt with nolapic");
        }
    }
}
