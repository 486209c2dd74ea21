package popek.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import popek.cpu.ExecutionMode;
import popek.platform.MachineBuilder;
import popek.testing.GuestRun;
import popek.testing.Transcript;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Linux-boot-protocol test guests of tests/guests/linux-guests.txt (bzImages built from tests/guests/linux-*),
 * booted as {@code popek boot --kernel} would, in emulate mode, in emulate mode on Popek's shadow MMU, and in full
 * mode: their output must match the transcript recorded under QEMU, and be the same in every mode. One rule is the
 * SDM's rather than QEMU 7.2's: a reserved-bit page fault has P set in its error code (vol. 3, 4.7), which QEMU 7.2
 * leaves clear, so the transcripts accept both and this test insists on P.
 */
class LinuxGuestTest {
    private static final Path GUESTS = Path.of("tests/guests");
    private static final long TIMEOUT = 60_000_000_000L;

    /** One row of linux-guests.txt. */
    record Guest(String name, String image, int status, String cmdline) {
        @Override public String toString() { return name; }
    }

    static List<Guest> guests() throws IOException {
        return Files.readAllLines(GUESTS.resolve("linux-guests.txt")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .map(l -> l.trim().split("\\s+", 5))
                .map(f -> new Guest(f[0], f[1], Integer.parseInt(f[2]), f.length > 4 && !f[4].equals("-") ? f[4] : ""))
                .toList();
    }

    /** The ways a Linux-protocol guest can run: every mode but para (which runs only guests built for it). */
    enum Way {
        EMULATE(b -> b.mode(ExecutionMode.EMULATE)),
        EMULATE_SHADOW_PAGING(b -> b.mode(ExecutionMode.EMULATE).shadowPaging(true)),
        FULL(b -> b.mode(ExecutionMode.FULL));

        final Consumer<MachineBuilder> adjust;

        Way(Consumer<MachineBuilder> adjust) { this.adjust = adjust; }
    }

    static Stream<Arguments> runs() throws IOException {
        return guests().stream().flatMap(g -> Stream.of(Way.values()).map(w -> Arguments.of(g, w)));
    }

    private static GuestRun.Result boot(Guest g, Way way) throws Exception {
        Path image = GuestRun.testGuest(g.image().substring("TESTOUT/".length()));
        return GuestRun.bootLinux(image, g.cmdline(), 64L << 20, TIMEOUT, way.adjust);
    }

    @ParameterizedTest(name = "{0} ({1})")
    @MethodSource("runs")
    void matchesQemu(Guest g, Way way) throws Exception {
        GuestRun.Result r = boot(g, way);
        List<String> expected = Files.readAllLines(GUESTS.resolve("expected").resolve(g.name() + ".txt"));
        assertNull(Transcript.mismatch(expected, r.lines()), () -> "serial output differs from QEMU's; the guest wrote:\n"
                + r.serial() + "\n(stopped: " + r.stop().message() + ")");
        assertEquals(g.status(), r.stop().exitCode(), r.stop().message());
        for (String line : r.lines()) {
            if (line.contains("RSVD=1")) assertTrue(line.contains("(P=1 "), "a reserved-bit fault has P set: " + line);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("guests")
    void everyModePrintsTheSame(Guest g) throws Exception {
        String emulate = boot(g, Way.EMULATE).serial();
        assertEquals(emulate, boot(g, Way.FULL).serial(), "full mode");
        assertEquals(emulate, boot(g, Way.EMULATE_SHADOW_PAGING).serial(), "emulate mode on the shadow MMU");
    }
}
