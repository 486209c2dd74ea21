package popek.linux.vfs.proc;

import java.util.List;
import java.util.UUID;

import popek.linux.vfs.Caller;
import popek.linux.vfs.Inode;
import popek.linux.vfs.proc.ProcSource.SystemInfo;

/**
 * /proc's system files: self, thread-self, mounts (a link to self/mounts), meminfo, cpuinfo, stat, uptime, loadavg,
 * version, filesystems, cmdline, and sys/kernel/{hostname, domainname, ostype, osrelease, version, pid_max,
 * random/boot_id, random/uuid, ...}, sys/vm and sys/fs entries that programs read.
 */
final class SystemFiles {
    private static final List<String> ROOT = List.of("cmdline", "cpuinfo", "filesystems", "loadavg", "meminfo", "mounts",
            "self", "stat", "sys", "thread-self", "uptime", "version");
    private final ProcFs proc;
    private final String bootId = UUID.randomUUID().toString();

    SystemFiles(ProcFs proc) { this.proc = proc; }

    List<String> rootNames() { return ROOT; }

    private SystemInfo sys(Caller c) { return proc.processes().system(c); }

    Inode rootChild(String name) {
        return switch (name) {
            case "self" -> proc.link("self", 0, 0, c -> self(c) == 0 ? null : Integer.toString(self(c)));
            case "thread-self" -> proc.link("thread-self", 0, 0, c -> self(c) == 0 ? null : self(c) + "/task/" + self(c));
            case "mounts" -> proc.link("mounts", 0, 0, c -> "self/mounts");
            case "meminfo" -> proc.file(name, 0444, 0, 0, c -> meminfo(sys(c)));
            case "cpuinfo" -> proc.file(name, 0444, 0, 0, c -> CPUINFO);
            case "stat" -> proc.file(name, 0444, 0, 0, c -> stat(sys(c)));
            case "uptime" -> proc.file(name, 0444, 0, 0, c -> uptime(sys(c)));
            case "loadavg" -> proc.file(name, 0444, 0, 0, c -> loadavg(sys(c)));
            case "version" -> proc.file(name, 0444, 0, 0, c -> "Linux version " + sys(c).release() + " (popek@popek) (gcc (Debian 12.2.0-14) 12.2.0) "
                    + sys(c).version() + "\n");
            case "filesystems" -> proc.file(name, 0444, 0, 0, c -> "nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevpts\nnodev\toverlay\n");
            case "cmdline" -> proc.file(name, 0444, 0, 0, c -> "console=ttyS0 popek\n");
            case "sys" -> sysDir();
            default -> null;
        };
    }

    private Inode sysDir() {
        return proc.dir("sys", 0555, 0, 0, () -> List.of("fs", "kernel", "vm"), n -> switch (n) {
            case "kernel" -> kernelDir();
            case "vm" -> proc.dir("sys/vm", 0555, 0, 0, () -> List.of("overcommit_memory", "max_map_count"), f -> switch (f) {
                case "overcommit_memory" -> proc.file("sys/vm/" + f, 0644, 0, 0, c -> "0\n");
                case "max_map_count" -> proc.file("sys/vm/" + f, 0644, 0, 0, c -> "65530\n");
                default -> null;
            });
            case "fs" -> proc.dir("sys/fs", 0555, 0, 0, () -> List.of("file-max", "nr_open", "pipe-max-size"), f -> switch (f) {
                case "file-max" -> proc.file("sys/fs/" + f, 0644, 0, 0, c -> "9223372036854775807\n");
                case "nr_open" -> proc.file("sys/fs/" + f, 0644, 0, 0, c -> "1048576\n");
                case "pipe-max-size" -> proc.file("sys/fs/" + f, 0644, 0, 0, c -> "1048576\n");
                default -> null;
            });
            default -> null;
        });
    }

    private static final List<String> KERNEL = List.of("cap_last_cap", "domainname", "hostname", "ngroups_max", "osrelease",
            "ostype", "pid_max", "random", "version");

    private Inode kernelDir() {
        String k = "sys/kernel/";
        return proc.dir("sys/kernel", 0555, 0, 0, () -> KERNEL, n -> switch (n) {
            case "hostname" -> proc.writable(k + n, c -> sys(c).hostname() + "\n", (c, v) -> setName(c, true, v));
            case "domainname" -> proc.writable(k + n, c -> sys(c).domainname() + "\n", (c, v) -> setName(c, false, v));
            case "ostype" -> proc.file(k + n, 0444, 0, 0, c -> "Linux\n");
            case "osrelease" -> proc.file(k + n, 0444, 0, 0, c -> sys(c).release() + "\n");
            case "version" -> proc.file(k + n, 0444, 0, 0, c -> sys(c).version() + "\n");
            case "pid_max" -> proc.file(k + n, 0644, 0, 0, c -> "32768\n");
            case "ngroups_max" -> proc.file(k + n, 0444, 0, 0, c -> "65536\n");
            case "cap_last_cap" -> proc.file(k + n, 0444, 0, 0, c -> "40\n");
            case "random" -> proc.dir(k + n, 0555, 0, 0, () -> List.of("boot_id", "uuid"), f -> switch (f) {
                case "boot_id" -> proc.file(k + "random/boot_id", 0444, 0, 0, c -> bootId + "\n");
                case "uuid" -> proc.file(k + "random/uuid", 0444, 0, 0, c -> UUID.randomUUID() + "\n");
                default -> null;
            });
            default -> null;
        });
    }

    /** The reader's process id in this /proc's pid namespace (0: it cannot see the reader, so self leads nowhere). */
    private int self(Caller c) { return c == null ? 0 : proc.processes().pidOf(c); }

    private void setName(Caller c, boolean host, String v) { proc.processes().setName(c, host, v); }

    private static String kb(String name, long bytes) { return String.format("%-16s%8d kB%n", name + ":", bytes / 1024); }

    static String meminfo(SystemInfo s) {
        long total = s.memTotal(), free = s.memFree(), cached = s.cached();
        return kb("MemTotal", total) + kb("MemFree", free) + kb("MemAvailable", free + cached) + kb("Buffers", 0)
                + kb("Cached", cached) + kb("SwapCached", 0) + kb("Active", total - free - cached) + kb("Inactive", cached)
                + kb("Active(anon)", total - free - cached) + kb("Inactive(anon)", 0) + kb("Active(file)", 0)
                + kb("Inactive(file)", cached) + kb("Unevictable", 0) + kb("Mlocked", 0) + kb("HighTotal", 0)
                + kb("HighFree", 0) + kb("LowTotal", total) + kb("LowFree", free) + kb("SwapTotal", 0) + kb("SwapFree", 0)
                + kb("Dirty", 0) + kb("Writeback", 0) + kb("AnonPages", total - free - cached) + kb("Mapped", cached)
                + kb("Shmem", 0) + kb("KReclaimable", 0) + kb("Slab", 0) + kb("SReclaimable", 0) + kb("SUnreclaim", 0)
                + kb("KernelStack", 0) + kb("PageTables", 0) + kb("CommitLimit", total) + kb("Committed_AS", total - free)
                + kb("VmallocTotal", 0) + kb("VmallocUsed", 0) + kb("VmallocChunk", 0);
    }

    static String stat(SystemInfo s) {
        long user = s.userTicks(), idle = Math.max(0, s.uptimeNanos() / (1_000_000_000L / ProcSource.HZ) - user);
        String cpu = user + " 0 0 " + idle + " 0 0 0 0 0 0";
        return "cpu  " + cpu + "\ncpu0 " + cpu + "\nintr 0\nctxt " + s.contextSwitches() + "\nbtime " + s.bootEpochSeconds()
                + "\nprocesses " + s.processesCreated() + "\nprocs_running " + s.running() + "\nprocs_blocked 0\nsoftirq 0\n";
    }

    static String uptime(SystemInfo s) {
        long cs = s.uptimeNanos() / 10_000_000L;
        long idle = Math.max(0, cs - s.userTicks());
        return String.format("%d.%02d %d.%02d%n", cs / 100, cs % 100, idle / 100, idle % 100);
    }

    static String loadavg(SystemInfo s) {
        return "0.00 0.00 0.00 " + s.running() + "/" + s.tasks() + " " + s.lastPid() + "\n";
    }

    /** What Unicorn's i386 CPU model presents (its CPUID), as Linux would describe it. */
    private static final String CPUINFO = """
            processor\t: 0
            vendor_id\t: GenuineIntel
            cpu family\t: 6
            model\t\t: 6
            model name\t: QEMU Virtual CPU version 2.5+
            stepping\t: 3
            cpu MHz\t\t: 1000.000
            cache size\t: 512 KB
            physical id\t: 0
            siblings\t: 1
            core id\t\t: 0
            cpu cores\t: 1
            fdiv_bug\t: no
            f00f_bug\t: no
            coma_bug\t: no
            fpu\t\t: yes
            fpu_exception\t: yes
            cpuid level\t: 13
            wp\t\t: yes
            flags\t\t: fpu de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2
            bogomips\t: 2000.00
            clflush size\t: 64
            cache_alignment\t: 64
            address sizes\t: 32 bits physical, 32 bits virtual
            power management:

            """;
}
