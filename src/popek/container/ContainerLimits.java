package popek.container;

import popek.cgroup.Cgroup;
import popek.cgroup.CpuControl;
import popek.cgroup.PidsControl;

/**
 * The resource limits {@code popek run} sets on a container's cgroup, with Docker's flags and meanings:
 * {@code --memory} is memory.max, {@code --cpus N} is cpu.max "N*100000 100000", {@code --cpu-weight} is cpu.weight
 * (Docker has only the v1-era --cpu-shares), {@code --pids-limit} is pids.max ({@link popek.cgroup.LimitFlags} reads
 * the flags).
 */
public record ContainerLimits(long memoryBytes, long cpuQuotaUsec, int cpuWeight, long pidsMax) {
    /** No limit at all (each field's "none": 0, except the default weight). */
    public static final ContainerLimits NONE = new ContainerLimits(0, 0, CpuControl.DEFAULT_WEIGHT, 0);
    /** The largest page pool a container's kernel can have (its physical memory is below the 4 GiB line). */
    public static final long MAX_POOL = 3L << 30;

    /** Sets these limits on {@code cg}. */
    public void applyTo(Cgroup cg) {
        if (memoryBytes > 0) cg.memory().setMax(memoryBytes);
        if (cpuQuotaUsec > 0) cg.cpu().setMax(cpuQuotaUsec, CpuControl.DEFAULT_PERIOD_USEC);
        cg.cpu().setWeight(cpuWeight);
        if (pidsMax > 0) cg.pids().setMax(pidsMax);
    }

    /**
     * The page pool for a container with these limits: {@code standard} (ContainerConfig.DEFAULT_MEMORY, reserved but
     * committed only as used), or, for a memory.max that would not leave room in it, the limit plus a quarter for the
     * kernel's own frames and freed frames waiting to be reused, at most {@link #MAX_POOL} (past which the pool is the
     * tighter limit, and running out of it OOM-kills the process that asked).
     */
    public long poolBytes(long standard) {
        if (memoryBytes <= 0) return standard;
        long want = memoryBytes + memoryBytes / 4 + (16L << 20);
        return Math.min(MAX_POOL, Math.max(standard, (want + 4095) & ~4095L));
    }
}
