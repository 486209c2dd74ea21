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
 * An interrupt that became pending while IF was clear is taken inside the guest's next interrupt window, however short,
 * as long as the guest touches a device in it: here a self-IPI is sent with IF clear, then the guest opens a window of
 * three port reads ({@code sti}, {@code in} x3, {@code cli}), twenty times over, and counts its handler's runs.
 *
 * <p>In emulate mode {@code sti} does not trap, and the run loop used to deliver such an interrupt only at its next IF
 * poll, a host timer 100 us away: the window closed first, nearly every time. That is how the apic guest, with the
 * host late under load, left its 2 ms window (sti, poll the PIT, cli) with a periodic timer expiry still in IRR, and
 * then counted it as its one-shot check's interrupt: two where one was expected (issue 4).
 */
class InterruptWindowTest {
    private static final int VECTOR = 0x40;
    private static final int ROUNDS = 20;
    private static final int IDT = 0x200000, IDTR = 0x200800, COUNT = 0x200810, GDT = 0x200900, GDTR = 0x200A00;
    private static final int STACK_TOP = 0x300000;
    private static final int LAPIC_EOI = 0xFEE000B0, LAPIC_SVR = 0xFEE000F0, LAPIC_ICR_LOW = 0xFEE00300;
    private static final int ICR_SELF_FIXED = 1 << 18;   // destination shorthand "self", fixed delivery, edge

    @TempDir Path dir;

    @ParameterizedTest
    @EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void anInterruptWaitingForIfIsTakenInAShortWindowThatTouchesADevice(ExecutionMode mode) throws Exception {
        FlatKernel k = new FlatKernel();
        k.emit(0xEB, 17);                                               // jmp over the handler
        int handler = k.here();
        k.emit(0xFF, 0x05).dword(COUNT);                                // inc dword [COUNT]
        k.emit(0xC7, 0x05).dword(LAPIC_EOI).dword(0);                   // EOI
        k.emit(0xCF);                                                   // iret
        k.emit(0xFA);                                                   // cli
        // A GDT of its own (Multiboot promises no particular selectors): null, flat code 0x08, flat data 0x10.
        k.emit(0xC7, 0x05).dword(GDT + 8).dword(0x0000FFFF);
        k.emit(0xC7, 0x05).dword(GDT + 12).dword(0x00CF9A00);
        k.emit(0xC7, 0x05).dword(GDT + 16).dword(0x0000FFFF);
        k.emit(0xC7, 0x05).dword(GDT + 20).dword(0x00CF9200);
        k.emit(0x66, 0xC7, 0x05).dword(GDTR).emit(0x17, 0x00);         // GDTR limit
        k.emit(0xC7, 0x05).dword(GDTR + 2).dword(GDT);                  // GDTR base
        k.emit(0x0F, 0x01, 0x15).dword(GDTR);                           // lgdt [GDTR]
        int next = k.here() + 7;
        k.emit(0xEA).dword(next).emit(0x08, 0x00);                      // jmp 0x08:next
        k.emit(0x66, 0xB8, 0x10, 0x00);                                 // next: mov ax, 0x10
        k.emit(0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0);                     // mov ds, ax; mov es, ax; mov ss, ax
        k.emit(0xBC).dword(STACK_TOP);                                  // mov esp, STACK_TOP
        k.emit(0xC7, 0x05).dword(IDT + VECTOR * 8).dword(0x00080000 | handler & 0xFFFF);        // the gate: 0x08:handler,
        k.emit(0xC7, 0x05).dword(IDT + VECTOR * 8 + 4).dword(handler & 0xFFFF0000 | 0x8E00);   // 32-bit interrupt gate
        k.emit(0x66, 0xC7, 0x05).dword(IDTR).emit(0xFF, 0x07);          // IDTR limit 0x7FF
        k.emit(0xC7, 0x05).dword(IDTR + 2).dword(IDT);                  // IDTR base
        k.emit(0x0F, 0x01, 0x1D).dword(IDTR);                           // lidt [IDTR]
        k.emit(0xC7, 0x05).dword(LAPIC_SVR).dword(0x1FF);               // APIC software-enabled
        k.emit(0xC7, 0x05).dword(COUNT).dword(0);
        k.emit(0xBB).dword(ROUNDS);                                     // mov ebx, ROUNDS
        int round = k.here();
        k.emit(0xC7, 0x05).dword(LAPIC_ICR_LOW).dword(ICR_SELF_FIXED | VECTOR);   // self-IPI, pending with IF clear
        k.emit(0xFB);                                                   // sti
        k.emit(0xB9).dword(3);                                          // mov ecx, 3
        k.emit(0xE4, 0x80);                                             // L: in al, 0x80
        k.emit(0x49);                                                   // dec ecx
        k.emit(0x75, 0xFB);                                             // jnz L
        k.emit(0xFA);                                                   // cli
        k.emit(0x4B);                                                   // dec ebx
        k.emit(0x75, round - (k.here() + 2) & 0xFF);                    // jnz round
        k.emit(0xA1).dword(COUNT);                                      // mov eax, [COUNT]
        k.emit(0xE6, 0xF4);                                             // out 0xF4, al: exit (count << 1) | 1
        Path image = k.writeTo(dir, "window.bin");
        try (Machine m = new MachineBuilder().memory(4 << 20).serialOutput(OutputStream.nullOutputStream()).mode(mode)
                .timeoutNanos(10_000_000_000L).multiboot(image, "").build()) {
            StopReason r = m.run();
            assertEquals(ROUNDS, r.exitCode() >> 1, "interrupts taken inside their window, of " + ROUNDS + ": " + r.message());
        }
    }
}
