package popek.cpu;

import popek.devices.InterruptController;
import popek.engine.Unicorn;
import popek.memory.GuestMemory;
import popek.stats.RunStats;

/** The parts of one vCPU that every mode's exit handler works with, made once by {@link VcpuBuilder}. */
record ExitContext(Unicorn uc, GuestMemory ram, GuestAccess mem, GuestFault fault, SegmentCache segments,
                   InterruptDelivery delivery, InterruptController pic, DeviceAccess devices, ExitRequests requests,
                   StopTexts texts, RunStats stats, CpuConfig cpu, VirtualTsc tsc) {
}
