package popek.cpu;

import java.io.OutputStream;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A timer the guest starts while it runs must fire even if the guest never leaves the CPU afterwards: here it
 * programs the PIT and then only polls the 8259's IRR (port reads, which end no run). Before the run loop re-armed its
 * host timer on a write to a device that keeps time, the deadline was never seen and the guest spun for ever (what
 * Linux's IOAPIC timer check does, which then declared the timer dead).
 */
class TimerDeadlineTest {
    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void aTimerStartedInABusyWaitFires(ExecutionMode mode) throws Exception {
        Path k = new FlatKernel()
                .emit(0xB0, 0x30, 0xE6, 0x43)            // mov al, 0x30 ; out 0x43, al   (channel 0, mode 0, lo/hi)
                .emit(0xB0, 0xE8, 0xE6, 0x40)            // mov al, 0xE8 ; out 0x40, al   (count 1000: ~0.84 ms)
                .emit(0xB0, 0x03, 0xE6, 0x40)            // mov al, 0x03 ; out 0x40, al
                .emit(0xB0, 0x0A, 0xE6, 0x20)            // mov al, 0x0A ; out 0x20, al   (OCW3: read IRR)
                .emit(0xE4, 0x20, 0xA8, 0x01, 0x74, 0xFA) // L: in al, 0x20 ; test al, 1 ; jz L
                .powerOff().writeTo(dir, "busy.bin");
        try (Machine m = new MachineBuilder().memory(4 << 20).serialOutput(OutputStream.nullOutputStream()).mode(mode)
                .timeoutNanos(10_000_000_000L).multiboot(k, "").build()) {
            StopReason r = m.run();
            assertEquals(0, r.exitCode(), r.message());
        }
    }
}
