package popek.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.cpu.VirtualClock;
import popek.platform.Machine;
import popek.platform.MachineBuilder;

/** Boots a guest image as `popek boot` would, with its serial output captured; for end-to-end tests. */
public final class GuestRun {
    private GuestRun() { }

    /** What a run produced: why it stopped and what the guest wrote to COM1. */
    public record Result(StopReason stop, String serial, popek.stats.RunStats stats) {
        public Result(StopReason stop, String serial) { this(stop, serial, null); }

        public List<String> lines() { return serial.lines().toList(); }
    }

    /** The shipped guests (target/guest-images) and the test guests (target/test-guests), as the build put them. */
    public static Path guestImage(String name) { return Path.of(System.getProperty("popek.guestImages"), name); }

    public static Path testGuest(String name) { return Path.of(System.getProperty("popek.testGuests"), name); }

    public static Result boot(Path image, String cmdline, byte[] input, long timeoutNanos) throws Exception {
        return boot(image, cmdline, input, timeoutNanos, b -> { });
    }

    /** As {@link #boot(Path, String, byte[], long)}, with the builder adjusted first (e.g. shadow paging on). */
    public static Result boot(Path image, String cmdline, byte[] input, long timeoutNanos,
                              java.util.function.Consumer<MachineBuilder> adjust) throws Exception {
        return run(timeoutNanos, 64L << 20, b -> adjust.accept(b.multiboot(image, cmdline)), input);
    }

    /** Boots from a disk's sector 0 in real mode (no kernel given), with the builder adjusted first. */
    public static Result bootDisk(Path disk, long timeoutNanos, java.util.function.Consumer<MachineBuilder> adjust) throws Exception {
        return run(timeoutNanos, 64L << 20, b -> adjust.accept(b.disk(disk, false)), new byte[0]);
    }

    /**
     * Boots a Linux bzImage as {@code popek boot --kernel BZIMAGE --initrd FILE --cmdline TEXT --memory SIZE --mode MODE}
     * would (the builder's Linux boot path), with its serial output captured.
     */
    public static Result bootLinux(Path bzImage, Path initrd, String cmdline, long memoryBytes, ExecutionMode mode,
                                   long timeoutNanos) throws Exception {
        // On the host's clock: Linux keeps its own time from the machine's timers, and this test is about its boot. (On
        // the CPU-time clock, one boot of some forty run under a load of ~18 on two cores stalled for minutes, for a
        // reason not yet understood.)
        return run(timeoutNanos, memoryBytes, b -> b.mode(mode).linux(bzImage, initrd, cmdline).clock(VirtualClock.host()),
                new byte[0]);
    }

    /** As {@link #bootLinux(Path, Path, String, long, ExecutionMode, long)}, with the builder adjusted (e.g. shadow paging). */
    public static Result bootLinux(Path bzImage, String cmdline, long memoryBytes, long timeoutNanos,
                                   java.util.function.Consumer<MachineBuilder> adjust) throws Exception {
        return run(timeoutNanos, memoryBytes, b -> adjust.accept(b.linux(bzImage, null, cmdline)), new byte[0]);
    }

    /**
     * Builds the machine (a fixed wall clock, COM1 captured), types {@code input}, runs it to its stop. Its virtual
     * clock is the vCPU's CPU time with idle time skipped ({@link VirtualClock#cpuTime()}): no test here measures
     * the clock, and so what a guest sees of time (a PIT polled across a calibration, a tick counted in a window)
     * does not depend on how busy the host is. (Input is all queued before the run, so no wait is for the host.)
     */
    private static Result run(long timeoutNanos, long memoryBytes, java.util.function.Consumer<MachineBuilder> boot,
                              byte[] input) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MachineBuilder b = new MachineBuilder().memory(memoryBytes).serialOutput(out).timeoutNanos(timeoutNanos)
                .wallClock(Instant.parse("2026-11-22T12:00:00Z")).clock(VirtualClock.cpuTime());
        boot.accept(b);
        try (Machine m = b.build()) {
            for (byte x : input) m.input(x & 0xFF);
            StopReason r = m.run();
            return new Result(r, out.toString(StandardCharsets.ISO_8859_1), m.stats());
        }
    }

    public static Result boot(Path image, long timeoutNanos) throws Exception {
        return boot(image, "", new byte[0], timeoutNanos);
    }
}
