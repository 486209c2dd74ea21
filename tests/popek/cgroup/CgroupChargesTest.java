package popek.cgroup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Charges go up the tree and stop at the nearest limit, as Linux's page counters and pids controller do: a refused
 * charge leaves nothing charged anywhere and counts its event where the limit is (hierarchically above it).
 */
class CgroupChargesTest {
    private final CgroupHierarchy hierarchy = new CgroupHierarchy();
    private final Cgroup container = hierarchy.newGroup("container");
    private final Cgroup job = container.create("job");

    @Test
    void memoryIsChargedToEveryAncestorAndStopsAtTheNearestMax() {
        container.memory().setMax(3 * 4096);
        assertNull(job.chargeMemory(MemoryControl.ANON, 4096));
        assertNull(job.chargeMemory(MemoryControl.FILE, 4096));
        assertEquals(8192, job.memory().current());
        assertEquals(8192, container.memory().current());
        assertEquals(8192, hierarchy.root().memory().current());
        assertEquals(4096, container.memory().charged(MemoryControl.FILE));
        job.memory().setMax(2 * 4096);
        assertSame(job, job.chargeMemory(MemoryControl.ANON, 4096), "the job's own limit is the nearer");
        job.memory().setMax(MemoryControl.MAX);
        assertNull(job.chargeMemory(MemoryControl.ANON, 4096));
        assertSame(container, job.chargeMemory(MemoryControl.ANON, 4096));
        assertEquals(3 * 4096, job.memory().current(), "a refused charge leaves nothing behind");
        assertEquals(3 * 4096, hierarchy.root().memory().current());
        assertEquals(1, job.memory().events(MemoryControl.MAX_EVENT));
        assertEquals(1, job.memory().localEvents(MemoryControl.MAX_EVENT));
        assertEquals(2, container.memory().events(MemoryControl.MAX_EVENT), "its own and the job's, hierarchically");
        assertEquals(1, container.memory().localEvents(MemoryControl.MAX_EVENT));
        job.unchargeMemory(MemoryControl.ANON, 4096);
        assertEquals(2 * 4096, container.memory().current());
        assertEquals(3 * 4096, container.memory().peak());
        job.forceChargeMemory(MemoryControl.KERNEL_STACK, 8192);
        assertEquals(4 * 4096, container.memory().current(), "a forced charge passes the limit");
    }

    @Test
    void aForkIsRefusedAtTheNearestPidsMax() {
        container.pids().setMax(2);
        assertNull(job.chargePids(1));
        assertNull(container.chargePids(1));
        assertSame(container, job.chargePids(1));
        assertEquals(1, job.pids().current());
        assertEquals(2, container.pids().current());
        assertEquals(1, container.pids().maxEvents());
        assertEquals(1, container.pids().localMaxEvents());
        assertEquals(0, job.pids().maxEvents(), "counted where the limit is and above");
        job.forceChargePids(1);
        assertEquals(3, container.pids().current(), "a migration is never refused");
        assertEquals(3, container.pids().peak());
        job.unchargePids(2);
        assertEquals(1, container.pids().current());
    }

    @Test
    void highIsPassedOncePerBatch() {
        container.memory().setHigh(4096);
        int times = 0;
        for (int i = 0; i < 128; i++) {
            job.chargeMemory(MemoryControl.ANON, 4096);
            if (job.overHigh() == container && container.memory().passHigh(4096)) times++;
        }
        assertEquals(1, times, "127 pages over memory.high: one batch of 64 completed, the next not yet");
    }
}
