package popek.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import popek.cpu.StopReason;
import popek.testing.GuestRun;
import popek.testing.Transcript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Every guest in tests/guests/guests.txt, booted as `popek boot` would: its serial output must match the transcript
 * recorded under QEMU (the ground truth), and its exit code QEMU's, except that a triple fault, which QEMU turns
 * into a silent stop, is Popek's own exit code 64.
 */
class GuestTranscriptTest {
    private static final Path GUESTS = Path.of("tests/guests");
    private static final long TIMEOUT = 60_000_000_000L;

    /** One row of guests.txt. */
    record Guest(String name, String image, int qemuStatus, String input, String cmdline) {
        @Override public String toString() { return name; }
    }

    static Stream<Guest> guests() throws IOException {
        return Files.readAllLines(GUESTS.resolve("guests.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.trim().split("\\s+", 5))
                .map(f -> new Guest(f[0], f[1], Integer.parseInt(f[2]), f[3], f.length > 4 && !f[4].equals("-") ? f[4] : ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guests")
    void matchesQemu(Guest g) throws Exception {
        check(g, false, b -> { });
    }

    /** The same, with the guest's page tables walked by Popek's shadow MMU instead of Unicorn's (full mode's MMU). */
    @ParameterizedTest(name = "{0} (shadow paging)")
    @MethodSource("guests")
    void matchesQemuWithShadowPaging(Guest g) throws Exception {
        check(g, false, b -> b.shadowPaging(true));
    }

    /** The same in full virtualisation: kernel code rewritten, every sensitive instruction trapped and emulated. */
    @ParameterizedTest(name = "{0} (full)")
    @MethodSource("guests")
    void matchesQemuInFullMode(Guest g) throws Exception {
        check(g, true, b -> b.mode(popek.cpu.ExecutionMode.FULL));
    }

    private void check(Guest g, boolean full, java.util.function.Consumer<popek.platform.MachineBuilder> adjust) throws Exception {
        assumeFalse(!full && (g.name().equals("gp") || g.name().equals("io-bitmap")), "emulate mode: Unicorn 2.1 "
                + "compiles out the I/O permission check (gen_check_io), so a ring-3 out with IOPL 0 runs instead of "
                + "raising #GP; full mode rewrites user-mode port I/O and checks it");
        assumeFalse(!full && g.name().equals("irq-window"), "emulate mode: Unicorn runs sti and cli itself, so nothing "
                + "returns to Popek inside a two-instruction interrupt window; full mode traps both and takes the interrupt");
        Path image = g.image().startsWith("OUT/")
                ? GuestRun.guestImage(g.image().substring(4))
                : GuestRun.testGuest(g.image().substring("TESTOUT/".length()));
        byte[] input = g.input().equals("-") ? new byte[0] : Files.readAllBytes(GUESTS.resolve("input").resolve(g.input()));
        GuestRun.Result r = GuestRun.boot(image, g.cmdline(), input, TIMEOUT, adjust);

        List<String> expected = Files.readAllLines(GUESTS.resolve("expected").resolve(g.name() + ".txt"));
        assertNull(Transcript.mismatch(expected, r.lines()), () -> "serial output differs from QEMU's; the guest wrote:\n" + r.serial()
                + "\n(stopped: " + r.stop().message() + ")");
        int want = g.name().equals("triple-fault") ? StopReason.Cause.TRIPLE_FAULT.exitCode() : g.qemuStatus();
        assertEquals(want, r.stop().exitCode(), r.stop().message());
    }
}
