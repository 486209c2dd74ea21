package popek.cpu;

import java.io.OutputStream;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The clocks a machine can be given for tests: with the manual clock time moves only over {@code hlt}, straight to
 * the next deadline, so a guest that sleeps through ten 1 ms local APIC timer periods ends at exactly 10 ms; with the
 * vCPU's CPU time the same guest ends after them too, however busy the host (its sleeps are skipped the same way).
 */
class VirtualClockTest {
    private static final int IDT = 0x200000, IDTR = 0x201000, GDTR = 0x201010, GDT = 0x202000, LAPIC = 0xFEE00000;

    @TempDir Path dir;

    /** mov dword [address], value */
    private static void store(FlatKernel k, int address, int value) {
        k.emit(0xC7, 0x05).dword(address).dword(value);
    }

    /**
     * A guest that takes ten local APIC timer interrupts (periodic, 1 ms: TICR 1,000,000 at 1 GHz, divide by 1),
     * sleeping in {@code sti; hlt} for each, then powers off. {@code handler} is where its interrupt handler lands.
     */
    private static FlatKernel tenTicks(int handler) {
        FlatKernel k = new FlatKernel();
        // Its own GDT (Multiboot leaves the selectors undefined): flat code 0x08, flat data 0x10; a stack.
        store(k, GDT + 8, 0x0000FFFF);
        store(k, GDT + 12, 0x00CF9A00);
        store(k, GDT + 16, 0x0000FFFF);
        store(k, GDT + 20, 0x00CF9200);
        k.emit(0x66, 0xC7, 0x05).dword(GDTR).emit(0x17, 0x00);   // mov word [GDTR], 0x17
        store(k, GDTR + 2, GDT);
        k.emit(0x0F, 0x01, 0x15).dword(GDTR);                   // lgdt [GDTR]
        k.emit(0xEA).dword(k.here() + 7).emit(0x08, 0x00);      // ljmp 0x08:next
        k.emit(0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0);   // mov ax, 0x10 ; mov ds/es/ss, ax
        k.emit(0xBC).dword(0x90000);                            // mov esp, 0x90000
        k.emit(0x66, 0xC7, 0x05).dword(IDTR).emit(0xFF, 0x07);   // mov word [IDTR], 0x7FF
        store(k, IDTR + 2, IDT);
        k.emit(0x0F, 0x01, 0x1D).dword(IDTR);                   // lidt [IDTR]
        int gate = IDT + 0x40 * 8;                              // vector 0x40: a 32-bit interrupt gate to handler
        k.emit(0xB8).dword(handler);                            // mov eax, handler
        k.emit(0x66, 0x89, 0x05).dword(gate);                   // mov [gate], ax
        k.emit(0xC1, 0xE8, 0x10);                               // shr eax, 16
        k.emit(0x66, 0x89, 0x05).dword(gate + 6);               // mov [gate + 6], ax
        k.emit(0x66, 0xC7, 0x05).dword(gate + 2).emit(0x08, 0x00);   // mov word [gate + 2], 0x08
        k.emit(0xC6, 0x05).dword(gate + 5).emit(0x8E);          // mov byte [gate + 5], 0x8E
        store(k, LAPIC + 0xF0, 0x1FF);                          // SVR: enabled, spurious vector 0xFF
        store(k, LAPIC + 0x3E0, 0xB);                           // TDCR: divide by 1
        store(k, LAPIC + 0x320, 0x20040);                       // LVT timer: periodic, vector 0x40
        store(k, LAPIC + 0x380, 1_000_000);                     // TICR: 1 ms
        k.emit(0x31, 0xC9);                                     // xor ecx, ecx
        k.emit(0xFB, 0xF4, 0x83, 0xF9, 0x0A, 0x72, 0xF9);       // L: sti ; hlt ; cmp ecx, 10 ; jb L
        k.emit(0xFA);                                           // cli
        k.powerOff();
        if (handler != 0) {
            assertEquals(handler, k.here());
            k.emit(0x41);                                       // inc ecx
            store(k, LAPIC + 0xB0, 0);                          // EOI
            k.emit(0xCF);                                       // iret
        }
        return k;
    }

    private static long run(Path image, ExecutionMode mode, VirtualClock clock) throws Exception {
        try (Machine m = new MachineBuilder().memory(4 << 20).serialOutput(OutputStream.nullOutputStream()).mode(mode)
                .clock(clock).timeoutNanos(10_000_000_000L).multiboot(image, "").build()) {
            StopReason r = m.run();
            assertEquals(0, r.exitCode(), r.message());
            return clock.nanos();
        }
    }

    private Path guest() {
        int handler = tenTicks(0).here();   // the same code again, now knowing where the handler goes
        return tenTicks(handler).writeTo(dir, "ten-ticks.bin");
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void withTheManualClockTimeMovesOnlyOverSleepsToTheDeadlineExactly(ExecutionMode mode) throws Exception {
        assertEquals(10_000_000L, run(guest(), mode, VirtualClock.manual()),
                "ten 1 ms periods from time 0, which stood still while the guest ran");
    }

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void withTheCpuTimeClockTheGuestSleepsThroughItsTicks(ExecutionMode mode) throws Exception {
        long t = run(guest(), mode, VirtualClock.cpuTime());
        assertTrue(t >= 10_000_000L, t + " ns");
    }

    @Test
    void theHostClockRunsTheSameGuest() throws Exception {
        long t = run(guest(), ExecutionMode.FULL, VirtualClock.host());
        assertTrue(t >= 10_000_000L, t + " ns");
    }
}
