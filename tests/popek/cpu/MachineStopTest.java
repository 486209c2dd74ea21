package popek.cpu;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.testing.FlatKernel;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whatever the guest does, the machine stops with a reason and a distinct exit code; the host is never hurt. */
class MachineStopTest {
    @TempDir Path dir;

    private GuestRun.Result run(FlatKernel k, long timeoutNanos) throws Exception {
        return GuestRun.boot(k.writeTo(dir, "k.bin"), timeoutNanos);
    }

    @Test
    void aLoopWithInterruptsOffStopsAtTheTimeout() throws Exception {
        GuestRun.Result r = run(new FlatKernel().emit(0xFA, 0xEB, 0xFE), 300_000_000L);   // cli ; jmp $
        assertEquals(StopReason.Cause.TIMEOUT, r.stop().cause());
        assertTrue(r.stop().message().contains("jmp"), r.stop().message());
    }

    @Test
    void hltWithInterruptsOffCanNeverWake() throws Exception {
        GuestRun.Result r = run(new FlatKernel().emit(0xFA, 0xF4), 10_000_000_000L);   // cli ; hlt
        assertEquals(StopReason.Cause.HALTED_FOREVER, r.stop().cause());
        assertTrue(r.stop().message().contains("hlt"), r.stop().message());
    }

    @Test
    void readingMemoryThatDoesNotExistStopsTheMachine() throws Exception {
        GuestRun.Result r = run(new FlatKernel().emit(0xA1).dword(0xF0000000), 10_000_000_000L);   // mov eax, [0xF0000000]
        assertEquals(StopReason.Cause.UNMAPPED_MEMORY, r.stop().cause());
        assertTrue(r.stop().message().contains("0xf0000000"), r.stop().message());
    }

    /**
     * A store to memory that does not exist stops the machine there, in every mode, even when the next instructions
     * (in the same translated block, which Unicorn runs on after dropping the store) would end in a triple fault: emulate
     * mode reported that triple fault (seed 20261208, case 99776 of the differential tester: smsw to 0xfffffffc, then
     * a short GDT and int 0x80).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = ExecutionMode.class, names = {"EMULATE", "FULL"})
    void aStoreToMemoryThatDoesNotExistStopsTheMachineBeforeWhatFollowsIt(ExecutionMode mode) throws Exception {
        FlatKernel k = new FlatKernel().emit(0xA3).dword(0xF0000000).emit(0x0F, 0x0B);   // mov [0xF0000000], eax; ud2
        GuestRun.Result r = GuestRun.boot(k.writeTo(dir, "k.bin"), "", new byte[0], 10_000_000_000L, b -> b.mode(mode));
        assertEquals(StopReason.Cause.UNMAPPED_MEMORY, r.stop().cause(), r.stop().message());
        assertTrue(r.stop().message().contains("wrote to physical address 0xf0000000"), r.stop().message());
    }

    @Test
    void jumpingOutOfRamStopsTheMachine() throws Exception {
        GuestRun.Result r = run(new FlatKernel().emit(0xB8).dword(0xE0000000).emit(0xFF, 0xE0), 10_000_000_000L);   // jmp eax
        assertEquals(StopReason.Cause.UNMAPPED_MEMORY, r.stop().cause());
        assertTrue(r.stop().message().contains("jumped to"), r.stop().message());
    }

    @Test
    void anExceptionWithNoIdtIsATripleFault() throws Exception {
        // Multiboot leaves IDTR undefined; Popek's is empty: #UD -> #GP (vector beyond the limit) -> #DF -> triple fault.
        GuestRun.Result r = run(new FlatKernel().emit(0x0F, 0x0B), 10_000_000_000L);   // ud2
        assertEquals(StopReason.Cause.TRIPLE_FAULT, r.stop().cause());
    }

    @Test
    void theDebugExitAndPowerOffPortsEndTheRunWithTheGuestsCode() throws Exception {
        assertEquals(0x2A << 1 | 1, run(new FlatKernel().debugExit(0x2A), 10_000_000_000L).stop().exitCode());
        assertEquals(0, run(new FlatKernel().powerOff(), 10_000_000_000L).stop().exitCode());
    }

    @Test
    void unclaimedPortsReadAllOnesAndAreNotFatal() throws Exception {
        // in al, 0xE0 ; mov dx, 0x1234 ; in eax, dx ; out 0xE1, al ; cmp eax, -1 ; jne fail ; power off ; fail: debug-exit 1
        FlatKernel k = new FlatKernel().emit(0xE4, 0xE0, 0x66, 0xBA, 0x34, 0x12, 0xED, 0xE6, 0xE1, 0x83, 0xF8, 0xFF, 0x75, 0x0A)
                .powerOff().debugExit(1);
        assertEquals(0, run(k, 10_000_000_000L).stop().exitCode());
    }
}
