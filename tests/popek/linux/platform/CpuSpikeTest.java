package popek.linux.platform;

import org.junit.jupiter.api.Test;

import popek.engine.RegisterFile;
import popek.linux.mm.PagePool;
import popek.linux.mm.PageTable;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CpuSpikeTest {
    @Test
    void nullSyscall() {
        try (PagePool pool = new PagePool(64 << 20)) {
            KernelRegion kr = new KernelRegion(pool);
            PageTable pt = new PageTable(pool, kr.table());
            int code = pool.allocate();
            pt.set(0x08048000L, (code << 12) | PageTable.P | PageTable.US);
            int stack = pool.allocate();
            pt.set(0xBFFFF000L, (stack << 12) | PageTable.P | PageTable.US | PageTable.RW);
            byte[] b = {(byte) 0xB9, 0, 0, 0, 0, (byte) 0xB8, 20, 0, 0, 0, (byte) 0xCD, (byte) 0x80, 0x49, 0x75, (byte) 0xF6,
                    (byte) 0xB8, 1, 0, 0, 0, (byte) 0xCD, (byte) 0x80};
            long base = (long) code << 12;
            for (int i = 0; i < b.length; i++) pool.memory().set(java.lang.foreign.ValueLayout.JAVA_BYTE, base + i, b[i]);
            int n = 2_000_000;
            pool.memory().set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, base + 1, n);
            int[] count = new int[1];
            Cpu[] cpu = new Cpu[1];
            cpu[0] = new Cpu(0, pool, kr, pt.cr3(), new Cpu.Traps() {
                @Override public void syscall(Cpu c) {
                    RegisterFile r = c.regs();
                    int nr = r.get(RegisterFile.EAX);
                    int a = r.get(RegisterFile.EBX) + r.get(RegisterFile.ECX) + r.get(RegisterFile.EDX) + r.get(RegisterFile.ESI)
                            + r.get(RegisterFile.EDI) + r.get(RegisterFile.EBP);
                    if (nr == 1) { c.stop(); return; }
                    count[0]++;
                    r.set(RegisterFile.EAX, 42 + (a & 0));
                }
                @Override public void exception(Cpu c, int v, int e, int addr, boolean sw) {
                    System.out.println("exception " + v + " err " + e + " addr " + Integer.toHexString(addr));
                    c.stop();
                }
            });
            System.out.println("direct registers: " + cpu[0].regs().direct());
            for (int round = 0; round < 5; round++) {
                count[0] = 0;
                long t0 = System.nanoTime();
                cpu[0].run(0x08048000);
                long t1 = System.nanoTime();
                System.out.printf("%d syscalls, %.1f ns each%n", count[0], (t1 - t0) / (double) count[0]);
            }
            assertEquals(n, count[0]);
            cpu[0].close();
        }
    }
}
