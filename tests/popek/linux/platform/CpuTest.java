package popek.linux.platform;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import popek.engine.RegisterFile;
import popek.linux.mm.PagePool;
import popek.linux.mm.PageTable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU Linux tasks run on: ring 3 over page tables Popek builds, {@code int 0x80} and faults reaching Java with the
 * registers as memory, and translated code dropped from a frame before it is reused.
 */
class CpuTest {
    private PagePool pool;
    private KernelRegion region;
    private PageTable pt;
    private Cpu cpu;
    private int syscalls, lastEax, lastVector, lastAddress;

    @BeforeEach
    void open() {
        pool = new PagePool(16 << 20);
        region = new KernelRegion(pool);
        pt = new PageTable(pool, region.table());
        cpu = new Cpu(0, pool, region, pt.cr3(), new Cpu.Traps() {
            @Override public void syscall(Cpu c) {
                syscalls++;
                lastEax = c.regs().get(RegisterFile.EAX);
                c.regs().set(RegisterFile.EAX, 1000 + lastEax);
                c.stop();
            }

            @Override public void exception(Cpu c, int vector, int errorCode, int address, boolean software) {
                lastVector = vector;
                lastAddress = address;
                c.stop();
            }

            @Override public void sysenter(Cpu c) {
                lastVector = -1;
                c.stop();
            }
        });
    }

    @AfterEach
    void close() {
        cpu.close();
        pool.close();
    }

    private int page(long va, boolean writable) {
        int f = pool.allocate();
        pt.set(va, (f << 12) | PageTable.P | PageTable.US | (writable ? PageTable.RW : 0));
        return f;
    }

    private void code(int frame, int... bytes) {
        for (int i = 0; i < bytes.length; i++) pool.memory().set(ValueLayout.JAVA_BYTE, ((long) frame << 12) + i, (byte) bytes[i]);
    }

    @Test
    void ring3CodeMakesSystemCallsThatJavaServes() {
        int f = page(0x08048000L, false);
        code(f, 0xB8, 20, 0, 0, 0, 0xCD, 0x80, 0xEB, 0xFE);   // mov eax, 20; int 0x80; jmp $
        cpu.run(0x08048000);
        assertEquals(1, syscalls);
        assertEquals(20, lastEax);
        assertEquals(1020, cpu.regs().get(RegisterFile.EAX), "the handler's result is in EAX");
        assertEquals(0x08048007, cpu.regs().eip(), "EIP is after the int 0x80");
        assertEquals(3, cpu.selector(popek.engine.X86.CS) & 3, "the CPU is at CPL 3");
    }

    @Test
    void aPageFaultReachesJavaWithItsAddress() {
        int f = page(0x08048000L, false);
        code(f, 0xA1, 0x34, 0x12, 0x00, 0x10);   // mov eax, [0x10001234]
        cpu.run(0x08048000);
        assertEquals(14, lastVector);
        assertEquals(0x10001234, lastAddress);
        assertEquals(0x08048000, cpu.regs().eip(), "EIP is on the faulting instruction");
    }

    @Test
    void theKernelRegionIsOutOfReachOfUserCode() {
        int f = page(0x08048000L, false);
        code(f, 0xA1, 0x00, 0xF0, 0xFF, 0xFF);   // mov eax, [0xFFFFF000]: CPU 0's GDT
        cpu.run(0x08048000);
        assertEquals(14, lastVector, "a user read of the GDT's page faults");
        assertEquals(0xFFFFF000, lastAddress);
    }

    @Test
    void aFrameRewrittenByJavaRunsItsNewCodeOnlyOnceItsTranslationsAreDropped() {
        int f = page(0x08048000L, false);
        code(f, 0xB8, 3, 0, 0, 0, 0xCD, 0x80, 0xEB, 0xFE);   // mov eax, 3; int 0x80
        cpu.run(0x08048000);
        assertEquals(3, lastEax);
        code(f, 0xB8, 4, 0, 0, 0, 0xCD, 0x80, 0xEB, 0xFE);   // the frame now holds other code (reused by Java)
        cpu.setCr3(pt.cr3());                                 // as after a context switch
        cpu.run(0x08048000);
        assertEquals(3, lastEax, "Unicorn ran its stale translation: the hazard the quarantine exists for");
        cpu.invalidateFrames(new int[] {f}, 1);
        cpu.run(0x08048000);
        assertEquals(4, lastEax, "after invalidateFrames the new code runs");
        assertTrue(cpu.cr3() == pt.cr3(), "and the task's address space is back");
    }
}
