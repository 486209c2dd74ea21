package popek.cgroup;

/** Puts a cgroup's settings of some controllers back to Linux's defaults (the controller was taken away from it). */
final class ControllerDefaults {
    private ControllerDefaults() { }

    static void reset(Cgroup cg, int mask) {
        if ((mask & Controller.CPU.bit()) != 0) {
            cg.cpu().setWeight(CpuControl.DEFAULT_WEIGHT);
            cg.cpu().setMax(CpuControl.NO_QUOTA, CpuControl.DEFAULT_PERIOD_USEC);
        }
        if ((mask & Controller.MEMORY.bit()) != 0) {
            MemoryControl m = cg.memory();
            m.setMax(MemoryControl.MAX);
            m.setHigh(MemoryControl.MAX);
            m.setLow(0);
            m.setMin(0);
            m.setSwapMax(0);
            m.setOomGroup(false);
        }
        if ((mask & Controller.PIDS.bit()) != 0) cg.pids().setMax(PidsControl.MAX);
    }
}
