package popek.container;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import popek.cgroup.Cgroup;
import popek.cgroup.CgroupHierarchy;
import popek.linux.abi.Errno;
import popek.linux.abi.SyscallException;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;
import popek.linux.kernel.Kernel;
import popek.linux.kernel.Task;
import popek.linux.syscalls.LinuxSyscalls;
import popek.linux.proc.KernelProcSource;
import popek.linux.tty.HostConsole;
import popek.linux.tty.Pty;
import popek.linux.tty.TerminalDevices;
import popek.linux.tty.Terminals;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.setup.ContainerFiles;
import popek.linux.vfs.host.HostInput;
import popek.linux.vfs.host.HostOutput;
import popek.sched.HostScheduler;

/**
 * One container run: a Linux kernel of its own over the container's root, the first process started from the
 * command (looked up in PATH as Docker does), run to its end. The exit status is the first process's: its exit code,
 * or 128 + the signal that killed it. The container runs in a cgroup of its own (a child of the JVM's hierarchy's root,
 * removed when it ends) with the limits asked for.
 */
public final class Container {
    private final ContainerConfig config;
    private final Stdio stdio;
    private final PrintStream diagnostics;
    private final ContainerLimits limits;
    private volatile Cgroup cgroup;
    private Kernel kernel;
    private ContainerFiles files;
    private String hostname;
    private java.util.function.Consumer<ContainerFiles> buildStep;

    public Container(ContainerConfig config, Stdio stdio, PrintStream diagnostics) {
        this(config, ContainerLimits.NONE, stdio, diagnostics);
    }

    /** A container whose cgroup has {@code limits}. */
    public Container(ContainerConfig config, ContainerLimits limits, Stdio stdio, PrintStream diagnostics) {
        this.config = config;
        this.limits = limits;
        this.stdio = stdio;
        this.diagnostics = diagnostics;
    }

    /** Names the container's host (its first UTS namespace's; Docker's {@code --hostname}); "popek" by default. */
    public void setHostname(String name) { hostname = name; }

    /**
     * Makes this run a build step (popek build's RUN): no tmpfs on /tmp and /run, and once the command has ended,
     * before the container's files are dropped, {@code changes} is given them (their root's upper layer is the step's
     * layer). Returns this container.
     */
    public Container asBuildStep(java.util.function.Consumer<ContainerFiles> changes) {
        this.buildStep = changes;
        return this;
    }

    /** Its cgroup once {@link #run} has made it (its counters stay readable after the run), else null. */
    public Cgroup cgroup() { return cgroup; }

    /** A failure to start the command (not found, not executable): Docker's 127 or 126 with a one-line message. */
    public static final class StartFailure extends RuntimeException {
        private final int exitCode;

        StartFailure(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() { return exitCode; }
    }

    /**
     * Runs the container to the end; returns its exit status. With {@code -t} the first process's standard files are
     * the slave of a pty (/dev/pts/0, also /dev/console) whose master is the host terminal: its output is written to
     * {@code stdio.out}, what is typed on {@code stdio.in} goes in with {@code -i}, and the host window's size follows.
     */
    public int run() { return run(null, null); }

    /**
     * As {@link #run()}, its tasks run by {@code host}'s workers beside whatever else it runs ({@code host} null: on
     * the calling thread, by a scheduler of the container's own), charged to {@code group} with the container's limits
     * applied ({@code group} null: a new child of the host's hierarchy, discarded at the end).
     */
    public int run(HostScheduler host, Cgroup group) {
        Cgroup cg = group != null ? group : CgroupHierarchy.host().newGroup("container");
        if (group == null || limits != ContainerLimits.NONE) limits.applyTo(cg);   // a group given may be set up already
        cgroup = cg;
        try {
            files = new ContainerFiles(config.layers(), buildStep != null);
            try {
                kernel = new Kernel(limits.poolBytes(config.memoryBytes()), LinuxSyscalls.table(), files.vfs(), diagnostics, cg);
            } catch (RuntimeException | Error e) {
                files.close();
                throw e;
            }
            files.attach(new KernelProcSource(kernel));
            files.attachCgroups(kernel.cgroups());
            if (hostname != null) kernel.setHostname(hostname);
            return runKernel(host);
        } finally {
            if (group == null) CgroupHierarchy.host().discard(cg);
        }
    }

    private int runKernel(HostScheduler host) {
        HostConsole console = null;
        try {
            Terminals terminals = TerminalDevices.install(kernel, files.devices(), files.pts());
            kernel.stats().timing = config.stats();
            List<String> env = environment();
            String program = resolve(config.command().getFirst(), env);
            byte[][] argv = bytes(config.command());
            FileDescription in, out, err;
            if (config.tty()) {
                Pty pty = terminals.createConsole(config.uid(), stdio.out());
                console = new HostConsole(kernel, pty);
                console.initialSize(stdio.windowSize() == null ? null : stdio.windowSize().get());
                in = terminals.openConsole(FileFlags.O_RDWR);
                in.retain();
                in.retain();
                out = in;
                err = in;
            } else {
                in = config.interactive() ? new HostInput(stdio.in(), kernel::post)
                        : new HostInput(java.io.InputStream.nullInputStream(), kernel::post);
                out = new HostOutput(stdio.out(), 2);
                err = new HostOutput(stdio.err(), 3);
            }
            Task first;
            try {
                first = kernel.spawn(new Kernel.Spawn(program, argv, bytes(env), Credentials.of(config.uid(), config.gid()),
                        config.workdir() == null ? "/" : config.workdir(), in, out, err));
            } catch (SyscallException e) {
                throw startFailure(config.command().getFirst(), e.errno());
            }
            if (console != null) {
                terminals.giveConsoleTo(first);
                if (config.interactive()) console.pumpInput(stdio.in());
                if (stdio.windowSize() != null) console.followSize(stdio.windowSize());
            }
            int status = host == null ? kernel.run() : kernel.run(host);
            if (buildStep != null) buildStep.accept(files);
            if (config.stats()) new StatsReport(kernel).print(diagnostics);
            return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F);
        } finally {
            if (console != null) console.stop();
            kernel.close();
            files.close();
        }
    }

    /** Stops the container from outside (Ctrl-C): every process is killed. */
    public void kill() {
        Kernel k = kernel;
        if (k != null) k.killAll();
    }

    private static StartFailure startFailure(String cmd, int errno) {
        return switch (errno) {
            case Errno.ENOENT -> new StartFailure(cmd + ": no such file or directory in the container", 127);
            case Errno.EACCES -> new StartFailure(cmd + ": permission denied (not an executable file)", 126);
            case Errno.ENOEXEC -> new StartFailure(cmd + ": not an i386 Linux program or script", 126);
            default -> new StartFailure(cmd + ": cannot be started: " + Errno.name(errno), 126);
        };
    }

    private List<String> environment() {
        List<String> env = new ArrayList<>();
        env.add(ContainerConfig.DEFAULT_PATH);
        env.add("HOSTNAME=" + kernel.hostname());
        if (config.tty()) env.add("TERM=xterm");
        env.add("HOME=" + (config.uid() == 0 ? "/root" : "/"));
        for (String e : config.env()) {
            String key = e.contains("=") ? e.substring(0, e.indexOf('=') + 1) : e + "=";
            env.removeIf(x -> x.startsWith(key));
            if (e.contains("=")) env.add(e);
        }
        return env;
    }

    /** The command's path: as given if it has a slash, else the first PATH entry holding it. */
    private String resolve(String cmd, List<String> env) {
        if (cmd.contains("/")) return cmd;
        String path = env.stream().filter(e -> e.startsWith("PATH=")).findFirst().orElse(ContainerConfig.DEFAULT_PATH).substring(5);
        var vfs = files.vfs();
        var fs = new popek.linux.vfs.FsContext(vfs.root(), vfs.root(), 022);
        for (String dir : path.split(":")) {
            if (dir.isEmpty()) continue;
            String candidate = dir.endsWith("/") ? dir + cmd : dir + "/" + cmd;
            try {
                var st = new popek.linux.vfs.StatBuf();
                vfs.stat(fs, vfs.root(), candidate, true, Credentials.ROOT, st);
                if ((st.mode & 0170000) == 0100000) return candidate;
            } catch (SyscallException ignored) {
                // not in this directory
            }
        }
        throw new StartFailure(cmd + ": executable file not found in $PATH", 127);
    }

    private static byte[][] bytes(List<String> s) {
        byte[][] out = new byte[s.size()][];
        for (int i = 0; i < s.size(); i++) out[i] = s.get(i).getBytes(StandardCharsets.UTF_8);
        return out;
    }
}
