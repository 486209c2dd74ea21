package popek.fuzz;

import java.io.OutputStream;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.engine.Unicorn;
import popek.engine.X86;
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

    /** A test of the state the CPU is in just before instruction {@code index} of a built case runs. */
    interface StateTest {
        boolean test(int index, int[] gprs, long[] segments, int cr0);
    }

    /** What {@link #firstWhere} returns when the run ran out of time first. */
    static final int OUT_OF_TIME = -2;

    /**
     * Runs a built case with a code hook on each of the instructions {@code indices} (at any privilege; registers and
     * segment caches are exact there), until one is about to run in a state {@code test} accepts: returns that
     * instruction's index, -1 if the run ended without, or {@link #OUT_OF_TIME}.
     */
    static int firstWhere(FuzzCase.Built built, ExecutionMode mode, long timeoutNanos, int[] indices, StateTest test) {
        int[] hit = {-1};
        int[] regs = {X86.EAX, X86.ECX, X86.EDX, X86.EBX, X86.ESP, X86.EBP, X86.ESI, X86.EDI};
        int[] gprs = new int[8];
        long[] segments = new long[40];
        FinalState end = run(built, mode, timeoutNanos, m -> {
            for (int k : indices) {
                m.engine().onCode(Layout.CODE + built.starts()[k], address -> {
                    if (hit[0] >= 0) return;
                    Unicorn uc = m.engine();
                    for (int r = 0; r < 8; r++) gprs[r] = uc.reg(regs[r]);
                    uc.context().segmentCaches(segments);
                    if (!test.test(k, gprs, segments, uc.reg(X86.CR0))) return;
                    hit[0] = k;
                    m.requestStop(new StopReason(StopReason.Cause.INTERRUPTED, "reached"));
                });
            }
        });
        return hit[0] < 0 && end.stop().cause() == StopReason.Cause.TIMEOUT ? OUT_OF_TIME : hit[0];
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
