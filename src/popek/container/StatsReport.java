package popek.container;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import popek.linux.kernel.Kernel;
import popek.linux.kernel.KernelStats;
import popek.linux.kernel.SyscallTable;
import popek.linux.mm.FaultCounters;

/**
 * {@code popek run --stats}: system calls by name (count, total and mean host time; those Popek does not serve
 * marked), page faults by kind, context switches, processes and threads created.
 */
final class StatsReport {
    private final Kernel kernel;

    StatsReport(Kernel kernel) { this.kernel = kernel; }

    void print(PrintStream out) {
        List<SyscallTable.Usage> calls = new ArrayList<>(kernel.syscalls().usage());
        calls.sort(Comparator.comparingLong(SyscallTable.Usage::count).reversed());
        long total = 0;
        for (SyscallTable.Usage u : calls) total += u.count();
        out.printf("system calls: %,d%n", total);
        out.printf("  %-22s %12s %14s %12s%n", "call", "count", "total", "mean");
        for (SyscallTable.Usage u : calls) {
            out.printf("  %-22s %,12d %14s %12s%s%n", u.name(), u.count(), micros(u.nanos()), u.count() == 0 ? "" : nanos(u.nanos() / u.count()),
                    u.served() ? "" : "  (not served: ENOSYS)");
        }
        FaultCounters f = kernel.faultCounters();
        out.printf("page faults: %,d demand, %,d copy-on-write, %,d stack growth, %,d fatal (%,d on behalf of system calls)%n",
                f.demand, f.copyOnWrite, f.stackGrowth, f.fatal, f.fromKernel);
        KernelStats s = kernel.stats();
        out.printf("context switches: %,d; processes created: %,d; threads created: %,d; execs: %,d; signals delivered: %,d%n",
                s.contextSwitches, s.processesCreated, s.threadsCreated, s.execs, s.signalsDelivered);
        out.printf("memory: %,d KiB in use at exit, page cache %,d KiB (%,d hits, %,d misses)%n",
                kernel.pool().usedFrames() * 4L, kernel.pageCache().cachedFrames() * 4L, kernel.pageCache().hits(), kernel.pageCache().misses());
    }

    private static String micros(long ns) { return String.format("%,.1f us", ns / 1000.0); }

    private static String nanos(long ns) { return String.format("%,d ns", ns); }
}
