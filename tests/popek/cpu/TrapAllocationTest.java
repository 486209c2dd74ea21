package popek.cpu;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.ThreadMXBean;

import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trap path allocates nothing: ten times more port traps must not allocate more on the vCPU thread. (Bytes,
 * not time: deterministic. The budget covers one-off allocations such as a JIT deoptimisation's.)
 */
class TrapAllocationTest {
    @TempDir Path dir;

    /** Bytes the calling (vCPU) thread allocated running the machine to a power-off; {@code check} then sees it. */
    private static long allocatedRunning(MachineBuilder builder, java.util.function.Consumer<Machine> check) throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Machine m = builder.memory(4 << 20).serialOutput(OutputStream.nullOutputStream())
                .timeoutNanos(120_000_000_000L).build()) {
            long before = threads.getCurrentThreadAllocatedBytes();
            StopReason r = m.run();
            long after = threads.getCurrentThreadAllocatedBytes();
            assertEquals(0, r.exitCode(), r.message());
            check.accept(m);
            return after - before;
        }
    }

    /** A guest loop run for a number of iterations; returns the bytes the vCPU thread allocated. */
    @FunctionalInterface
    private interface Loop {
        long allocatedDuring(int iterations) throws Exception;
    }

    /**
     * Runs {@code loop} once to warm up (class loading and JIT compilation allocate once), then at {@code small} and
     * at ten times that: the extra iterations must allocate under 64 KiB. {@code more} names them in the message.
     */
    private static void assertAllocatesNothing(Loop loop, int small, String more) throws Exception {
        loop.allocatedDuring(small);
        long few = loop.allocatedDuring(small);
        long many = loop.allocatedDuring(10 * small);
        assertTrue(many - few < 64 * 1024, more + " allocated " + (many - few) + " bytes");
    }

    private long allocatedDuring(int iterations, boolean timedStats) throws Exception {
        // mov ecx, N ; L: out 0x80, al ; in al, 0x80 ; out 0xE0, al (unclaimed) ; dec ecx ; jnz L ; power off
        Path image = new FlatKernel().emit(0xB9).dword(iterations).emit(0xE6, 0x80, 0xE4, 0x80, 0xE6, 0xE0, 0x49, 0x75, 0xF7)
                .powerOff().writeTo(dir, "loop" + iterations + ".bin");
        return allocatedRunning(new MachineBuilder().stats(timedStats).multiboot(image, ""), m -> { });
    }

    private long rewrittenAllocatedDuring(int iterations) throws Exception {
        // mov ecx, N ; L: cli ; sti ; pushf ; popf ; mov eax, cr0 ; mov cr0, eax ; dec ecx ; jnz L ; power off
        Path image = new FlatKernel().emit(0xB9).dword(iterations)
                .emit(0xFA, 0xFB, 0x9C, 0x9D, 0x0F, 0x20, 0xC0, 0x0F, 0x22, 0xC0, 0x49, 0x75, 0xF3)
                .powerOff().writeTo(dir, "rewritten" + iterations + ".bin");
        return allocatedRunning(new MachineBuilder().mode(ExecutionMode.FULL).stats(true).multiboot(image, ""), m -> {
            assertEquals(iterations, m.stats().sensitive(popek.translate.SensitiveClass.CLI));
            assertEquals(iterations, m.stats().sensitive(popek.translate.SensitiveClass.MOV_CR_WRITE));
        });
    }

    /** Full mode: the traps of rewritten instructions (six per iteration here) allocate nothing either. */
    @Test
    void rewrittenInstructionTrapsAllocateNothing() throws Exception {
        assertAllocatesNothing(this::rewrittenAllocatedDuring, 50_000, "2.7 million more traps");
    }

    @Test
    void portTrapsAllocateNothing() throws Exception {
        for (boolean timed : new boolean[] {false, true}) {
            assertAllocatesNothing(n -> allocatedDuring(n, timed), 200_000, "5.4 million more traps (timed stats: " + timed + ")");
        }
    }

    private long hypercallsAllocatedDuring(int iterations) throws Exception {
        // The pv-abi guest's loop: HC_VERSION, HC_CONSOLE_WRITE (0 bytes), HC_MMU_UPDATE (one entry), HC_SET_TIMER
        // (cancel), HC_YIELD, per iteration.
        Path image = popek.testing.GuestRun.testGuest("pv-abi.elf");
        return allocatedRunning(new MachineBuilder().mode(ExecutionMode.PARA).stats(true).multiboot(image, "loop " + iterations), m -> {
            assertEquals(5L * iterations, m.stats().traps(popek.stats.TrapKind.HYPERCALL));
            assertEquals(iterations, m.stats().hypercalls(popek.para.PvAbi.HC_MMU_UPDATE));
        });
    }

    /** Para mode: hypercalls (the whole of the path: the port hook, the call, its statistics) allocate nothing. */
    @Test
    void hypercallsAllocateNothing() throws Exception {
        assertAllocatesNothing(this::hypercallsAllocatedDuring, 30_000, "1.35 million more hypercalls");
    }

    private long mmioAllocatedDuring(int iterations) throws Exception {
        // mov ecx, N ; L: mov eax, [0xFEE00080] (TPR) ; mov [0xFEE00080], eax ; mov eax, [0xFEE00390] (TCCR) ;
        // dec ecx ; jnz L ; power off
        Path image = new FlatKernel().emit(0xB9).dword(iterations)
                .emit(0xA1).dword(0xFEE00080).emit(0xA3).dword(0xFEE00080).emit(0xA1).dword(0xFEE00390)
                .emit(0x49, 0x75, 0xEE).powerOff().writeTo(dir, "mmio" + iterations + ".bin");
        return allocatedRunning(new MachineBuilder().stats(true).multiboot(image, ""), m -> {
            assertEquals(2L * iterations, m.stats().traps(popek.stats.TrapKind.MMIO_READ));
            assertEquals(iterations, m.stats().traps(popek.stats.TrapKind.MMIO_WRITE));
        });
    }

    /** Local APIC register accesses (MMIO traps) allocate nothing either. */
    @Test
    void mmioTrapsAllocateNothing() throws Exception {
        assertAllocatesNothing(this::mmioAllocatedDuring, 100_000, "2.7 million more MMIO traps");
    }
}
