package popek.bench;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.engine.Hooks;
import popek.engine.Unicorn;
import popek.engine.X86;
import popek.memory.GuestMemory;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.FlatKernel;

/**
 * A guest {@code out} to a port whose device does nothing (port 0x80), trapped into Java and back: the VMM's
 * fundamental cost. The guest loops N times, then powers off; the figure is per iteration, minus nothing: the loop's
 * own {@code dec; jnz} cost about 1 ns (see {@link #emptyLoop}). Floors measured on this machine: 8 ns with a C
 * callback, 31 ns through a bare FFM upcall (shared/REFERENCES.md). Target: at most 40 ns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class TrapRoundTrip {
    static final int N = 5_000_000;

    /** emulate: Unicorn runs privileged instructions; full: they are rewritten into traps (cli traps only here). */
    @Param({"emulate", "full"})
    String mode;

    Path outLoop, emptyLoop, cliLoop;

    @Setup(Level.Trial)
    public void images() throws Exception {
        Path dir = Files.createTempDirectory("popek-bench");
        // mov ecx, N ; L: out 0x80, al ; dec ecx ; jnz L ; power off
        outLoop = new FlatKernel().emit(0xB9).dword(N).emit(0xE6, 0x80, 0x49, 0x75, 0xFB).powerOff().writeTo(dir, "out.bin");
        // mov ecx, N ; L: nop ; nop ; dec ecx ; jnz L ; power off
        emptyLoop = new FlatKernel().emit(0xB9).dword(N).emit(0x90, 0x90, 0x49, 0x75, 0xFB).powerOff().writeTo(dir, "empty.bin");
        // mov ecx, N ; L: cli ; dec ecx ; jnz L ; power off
        cliLoop = new FlatKernel().emit(0xB9).dword(N).emit(0xFA, 0x49, 0x75, 0xFC).powerOff().writeTo(dir, "cli.bin");
    }

    @TearDown(Level.Trial)
    public void clean() throws Exception {
        Files.deleteIfExists(outLoop);
        Files.deleteIfExists(emptyLoop);
        Files.deleteIfExists(cliLoop);
    }

    int boot(Path image) throws Exception {
        try (Machine m = new MachineBuilder().memory(4 << 20).serialOutput(OutputStream.nullOutputStream())
                .mode(ExecutionMode.byLabel(mode)).multiboot(image, "").build()) {
            StopReason r = m.run();
            if (r.exitCode() != 0) throw new IllegalStateException(r.message());
            return r.exitCode();
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public int outToNullPort() throws Exception { return boot(outLoop); }

    @Benchmark
    @OperationsPerInvocation(N)
    public int emptyLoop() throws Exception { return boot(emptyLoop); }

    /** A rewritten instruction's trap round trip (full mode); in emulate mode cli runs on the CPU. */
    @Benchmark
    @OperationsPerInvocation(N)
    public int cli() throws Exception { return boot(cliLoop); }

    /**
     * The floor under Popek's trap path, measured in the same run: the same loop on a bare engine whose OUT hook
     * does nothing (no vCPU, no bus, no devices), through Popek's binding.
     */
    @Benchmark
    @OperationsPerInvocation(N)
    public long bareUpcallFloor() {
        try (GuestMemory ram = new GuestMemory(1 << 20); Unicorn uc = new Unicorn(X86.MODE_32)) {
            uc.mapRam(0, ram.segment());
            byte[] code = {(byte) 0xB9, (byte) N, (byte) (N >>> 8), (byte) (N >>> 16), (byte) (N >>> 24),
                (byte) 0xE6, (byte) 0x80, 0x49, 0x75, (byte) 0xFB, (byte) 0xF4};
            ram.write(0x1000, code);
            long[] outs = {0};
            uc.onPortIo(new Hooks.PortIo() {
                @Override public int in(int port, int size) { return 0; }
                @Override public void out(int port, int size, int value) { outs[0]++; }
            });
            uc.start(0x1000);
            return outs[0];
        }
    }
}
