package popek.fuzz;

import java.io.OutputStream;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.BootImageException;
import popek.platform.Machine;
import popek.platform.MachineBuilder;

/** Runs a built case once in one mode, on a machine of its own, and returns the state it ended in. */
final class CaseRunner {
    private CaseRunner() { }

    /** Writes the image's non-zero pages (a page written is a page the host must map: 20 us each on a busy host). */
    private static void load(popek.memory.GuestMemory ram, FuzzCase.Built built) {
        byte[] b = built.image().bytes;
        for (int page : built.pages()) ram.write(page * 4096L, b, page * 4096, 4096);
    }

    /**
     * Ends runs that outlast their limit. The limit counts from the start of the run, not from power-on as the
     * machine's own --timeout does: building the first machines of a fresh JVM (class loading, compiling) can take
     * longer than a whole case.
     */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "popek-fuzz-watchdog");
        t.setDaemon(true);
        return t;
    });

    static FinalState run(FuzzCase.Built built, ExecutionMode mode, long timeoutNanos) {
        return run(built, mode, timeoutNanos, null);
    }

    /**
     * The state the CPU is in when it first reaches linear address {@code eip}, before it runs the instruction there,
     * at any privilege (a code hook on that address, which then ends the run); null if the run ends without reaching
     * it. (Not a breakpoint of Popek's debugger: in emulate mode one was never hit after a ring-3 store into its
     * code page and a sysenter, seed 20261208 case 1874.)
     */
    static FinalState runTo(FuzzCase.Built built, ExecutionMode mode, long timeoutNanos, int eip) {
        FinalState[] at = new FinalState[1];
        run(built, mode, timeoutNanos, m -> m.engine().onCode(eip & 0xFFFFFFFFL, address -> {
            if (at[0] != null) return;
            at[0] = FinalState.capture(m, new StopReason(StopReason.Cause.INTERRUPTED, "reached"));
            m.requestStop(at[0].stop());
        }));
        return at[0];
    }

    private static FinalState run(FuzzCase.Built built, ExecutionMode mode, long timeoutNanos, java.util.function.Consumer<Machine> before) {
        MachineBuilder b = new MachineBuilder().memory(Layout.RAM).serialOutput(OutputStream.nullOutputStream())
                .wallClock(Instant.parse("2026-01-01T00:00:00Z")).mode(mode)
                .raw(ram -> load(ram, built), built.source()::enter);
        try (Machine m = b.build()) {
            if (before != null) before.accept(m);
            StopReason stop;
            ScheduledFuture<?> limit = WATCHDOG.schedule(() -> m.requestStop(new StopReason(StopReason.Cause.TIMEOUT,
                    String.format("timeout: the case was still running after %d ms", timeoutNanos / 1_000_000))),
                    timeoutNanos, TimeUnit.NANOSECONDS);
            try {
                stop = m.run();
            } catch (RuntimeException e) {   // what the CLI would report as an internal error (exit 74)
                stop = new StopReason(StopReason.Cause.INTERNAL_ERROR, "internal error: " + e);
            } finally {
                limit.cancel(false);
            }
            return FinalState.capture(m, stop);
        } catch (BootImageException e) {
            throw new IllegalStateException("a generated case could not be loaded: " + e.getMessage(), e);
        }
    }
}
