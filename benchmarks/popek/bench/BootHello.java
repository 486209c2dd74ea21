package popek.bench;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import popek.cpu.ExecutionMode;
import popek.cpu.StopReason;
import popek.platform.Machine;
import popek.platform.MachineBuilder;

/**
 * Booting the shipped {@code hello} guest inside a warm JVM: a new Machine (RAM, engine, devices, kernel loaded)
 * built and run to the guest's power-off, or to its first line on the serial port.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class BootHello {
    Path hello;

    /** The CLI's default is full. */
    @Param({"emulate", "full"})
    String mode;

    @Setup(Level.Trial)
    public void image() {
        hello = Path.of(System.getProperty("popek.guestImages", "target/guest-images"), "hello.elf");
    }

    @Benchmark
    public int bootToPowerOff() throws Exception {
        try (Machine m = new MachineBuilder().memory(64L << 20).mode(ExecutionMode.byLabel(mode)).serialOutput(OutputStream.nullOutputStream()).multiboot(hello, "").build()) {
            StopReason r = m.run();
            if (r.exitCode() != 0) throw new IllegalStateException(r.message());
            return r.exitCode();
        }
    }

    /** From nothing to the guest's first complete line on COM1 (the console hands over whole lines). */
    @Benchmark
    public int bootToFirstSerialLine() throws Exception {
        Machine[] self = new Machine[1];
        OutputStream firstLineStops = new OutputStream() {
            @Override public void write(int b) { stop(); }
            @Override public void write(byte[] b, int off, int len) { stop(); }
            private void stop() { self[0].requestStop(new StopReason(StopReason.Cause.INTERRUPTED, "first line")); }
        };
        try (Machine m = new MachineBuilder().memory(64L << 20).mode(ExecutionMode.byLabel(mode)).serialOutput(firstLineStops).multiboot(hello, "").build()) {
            self[0] = m;
            StopReason r = m.run();
            if (r.cause() != StopReason.Cause.INTERRUPTED) throw new IllegalStateException(r.message());
            return r.exitCode();
        }
    }
}
