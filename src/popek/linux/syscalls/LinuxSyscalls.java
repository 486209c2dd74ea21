package popek.linux.syscalls;

import java.util.List;

import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;

/**
 * The system-call families Popek's Linux kernel serves, assembled into one table. A family is one class that
 * registers its handlers by number; a later family may replace an earlier one's handler .
 */
public final class LinuxSyscalls {
    private LinuxSyscalls() { }

    /** The families, in registration order. */
    public static List<SyscallFamily> families() {
        return List.of(new ProcessCalls(), new SignalCalls(), new MemoryCalls(), new ThreadCalls(), new TimeCalls(),
                new IdentityCalls(), new SystemCalls(), new OpenCalls(), new ReadWriteCalls(), new StatCalls(),
                new DirectoryCalls(), new AttributeCalls(), new DescriptorCalls(), new PollCalls(), new PipeCalls(),
                new TransferCalls(), new MountCalls(), new NamespaceCalls());
    }

    /** A table with every family registered. */
    public static SyscallTable table() {
        SyscallTable t = new SyscallTable();
        for (SyscallFamily f : families()) f.register(t);
        return t;
    }
}
