package popek.cpu;

import java.io.OutputStream;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.FlatKernel;
import popek.translate.SensitiveClass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /**
     * The same from ring 3 with IOPL 3: in full mode user code's port I/O is rewritten and emulated, a route that
     * used to reach the PIT without re-arming the host timer (the guest then spun until the timeout). Every route to
     * a device now shares DeviceAccess's work after the access.
     */
    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void aTimerStartedFromRing3Fires(ExecutionMode mode) throws Exception {
        int gdt = FlatKernel.ENTRY + 0x28, gdtr = gdt + 5 * 8, user = FlatKernel.LOAD + 0x1000;
        FlatKernel k = new FlatKernel()
                .emit(0x0F, 0x01, 0x15).dword(gdtr)      // lgdt [gdtr]
                .emit(0x6A, 0x23)                        // push 0x23          (SS: ring-3 data)
                .emit(0x68).dword(0x80000)               // push 0x80000       (ESP)
                .emit(0x68).dword(0x3002)                // push 0x3002        (EFLAGS: IOPL 3, IF clear)
                .emit(0x6A, 0x1B)                        // push 0x1B          (CS: ring-3 code)
                .emit(0x68).dword(user)                  // push user
                .emit(0xCF);                             // iret
        padTo(k, gdt);
        k.dword(0).dword(0)                              // null
                .dword(0x0000FFFF).dword(0x00CF9A00)     // 0x08 ring-0 code, flat
                .dword(0x0000FFFF).dword(0x00CF9200)     // 0x10 ring-0 data
                .dword(0x0000FFFF).dword(0x00CFFA00)     // 0x18 ring-3 code
                .dword(0x0000FFFF).dword(0x00CFF200)     // 0x20 ring-3 data
                .emit(5 * 8 - 1, 0).dword(gdt);          // gdtr
        padTo(k, user);                                  // user code on a page of its own
        k.emit(0xB0, 0x30, 0xE6, 0x43)                   // the PIT and the busy-wait as above, at CPL 3
                .emit(0xB0, 0xE8, 0xE6, 0x40)
                .emit(0xB0, 0x03, 0xE6, 0x40)
                .emit(0xB0, 0x0A, 0xE6, 0x20)
                .emit(0xE4, 0x20, 0xA8, 0x01, 0x74, 0xFA)
                .powerOff();
        Path image = k.writeTo(dir, "ring3.bin");
        try (Machine m = new MachineBuilder().memory(4 << 20).serialOutput(OutputStream.nullOutputStream()).mode(mode)
                .stats(true).timeoutNanos(10_000_000_000L).multiboot(image, "").build()) {
            StopReason r = m.run();
            assertEquals(0, r.exitCode(), r.message());
            if (mode == ExecutionMode.FULL) {   // the route under test: the guest's ins and outs were rewritten
                assertTrue(m.stats().sensitive(SensitiveClass.IO) >= 6, "rewritten port I/O: " + m.stats().sensitive(SensitiveClass.IO));
            }
        }
    }

    private static void padTo(FlatKernel k, int address) {
        while (k.here() < address) k.emit(0);
    }
}
