package popek.cpu;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The run loop's state as another thread sees it: halted (parked, costing nothing) while the
 * guest waits in hlt for an interrupt that never comes, halted again after a wake-up that brought nothing, and stopped
 * once that thread asks for a stop.
 */
class RunStateTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void aHaltedVcpuIsParkedAndStoppedFromOutside(ExecutionMode mode) throws Exception {
        // sti ; L: hlt ; jmp L   (IF set, but no device will ever raise an interrupt)
        Path image = new FlatKernel().emit(0xFB, 0xF4, 0xEB, 0xFD).writeTo(dir, "idle.bin");
        // Built and run on one thread (the engine's scratch memory belongs to it), watched from this one.
        CompletableFuture<Machine> built = new CompletableFuture<>();
        CompletableFuture<StopReason> run = CompletableFuture.supplyAsync(() -> {
            try (Machine m = new MachineBuilder().memory(4 << 20).serialOutput(OutputStream.nullOutputStream())
                    .mode(mode).timeoutNanos(20_000_000_000L).multiboot(image, "").build()) {
                built.complete(m);
                return m.run();
            } catch (Exception e) {
                built.completeExceptionally(e);
                throw new IllegalStateException(e);
            }
        });
        Machine m = built.get(10, TimeUnit.SECONDS);
        awaitState(m, RunState.HALTED);
        m.input('x');   // a wake-up: the loop looks, finds nothing to deliver, and parks again
        awaitState(m, RunState.HALTED);
        m.stop(new StopReason(StopReason.Cause.INTERRUPTED, "stopped from outside"));
        StopReason r = run.get(10, TimeUnit.SECONDS);
        assertEquals(StopReason.Cause.INTERRUPTED, r.cause(), r.message());
        assertEquals(RunState.STOPPED, m.runState());
    }

    private static void awaitState(Machine m, RunState want) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (m.runState() != want && System.nanoTime() < end) Thread.sleep(1);
        assertEquals(want, m.runState());
    }
}
