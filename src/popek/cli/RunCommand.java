package popek.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import popek.container.Container;
import popek.container.ContainerConfig;
import popek.cgroup.LimitFlags;
import popek.container.ContainerLimits;
import popek.container.Images;
import popek.container.Stdio;
import popek.engine.HostTty;

/** {@code popek run}: run a command in a container, with Popek as its Linux kernel (Docker's spelling and meaning). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an i386 Linux command in a container whose kernel is Popek: its programs run unmodified at",
            "ring 3 and every system call they make is served in Java. The exit status is the command's (128 + N if",
            "signal N killed it; 125 for an error of popek run itself, 126/127 when the command cannot be run)."})
final class RunCommand implements Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;
    @ParentCommand Main main;

    @Option(names = "--rm", description = "Remove the container when it exits (containers leave nothing behind yet: accepted for Docker's sake).")
    boolean rm;

    @Option(names = {"-i", "--interactive"}, description = "Keep standard input open (the container reads Popek's standard input).")
    boolean interactive;

    @Option(names = {"-t", "--tty"}, description = {"Give the first process a pseudo-terminal (/dev/pts/0, its controlling terminal)",
        "connected to this one: with -i, this terminal is raw while the container runs and every key goes in."})
    boolean tty;

    @Option(names = {"-e", "--env"}, paramLabel = "KEY=VALUE", description = "Set an environment variable (repeatable).")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "The working directory inside the container.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "USER[:GROUP]", description = {"Run as this user (and group): numbers, or for an image of the store",
        "names from its /etc/passwd and /etc/group; default the image's USER, else 0:0."})
    String user;

    @Option(names = "--hostname", paramLabel = "NAME", description = "The container's host name (uname -n, hostname, $HOSTNAME); default popek.")
    String hostname;

    @Option(names = "--stats", description = "At exit, print system calls by name (count, host time), page faults, switches, processes.")
    boolean stats;

    @Option(names = {"-m", "--memory"}, paramLabel = "SIZE", description = {"memory.max of the container's cgroup, e.g. 64M, 1g (at least 6M):",
        "past it, page cache is reclaimed, then the largest process is killed (SIGKILL, exit 137)."})
    String memory;

    @Option(names = "--cpus", paramLabel = "N", description = "CPU bandwidth: cpu.max N*100000 100000 (e.g. 0.5 is half a CPU).")
    String cpus;

    @Option(names = "--cpu-weight", paramLabel = "W", description = "cpu.weight of the container's cgroup, 1 to 10000 (default 100).")
    String cpuWeight;

    @Option(names = "--pids-limit", paramLabel = "N", description = "pids.max: fork and clone fail with EAGAIN past N tasks (-1: no limit).")
    String pidsLimit;

    @Option(names = "--entrypoint", paramLabel = "PROGRAM", description = "Run PROGRAM instead of the image's ENTRYPOINT (its CMD is then dropped).")
    String entrypoint;

    @Option(names = "--rootfs", paramLabel = "DIR", description = "Use this directory as the container's root instead of an IMAGE (read-only under a private writable layer).")
    Path rootfs;

    @Parameters(paramLabel = "IMAGE|COMMAND", arity = "0..*",
            description = {"Without --rootfs: the image (one of 'popek images' by NAME[:TAG] or ID, or the built-in busybox",
                "or debian, fetched once from the Debian archive), then the command and its arguments; with --rootfs: the command."})
    List<String> words = new ArrayList<>();

    /** The resource flags as a container's limits; a bad value is one line and exit 125, as Docker's. */
    private ContainerLimits limits() {
        try {
            return new ContainerLimits(memory == null ? 0 : LimitFlags.parseMemory(memory),
                    cpus == null ? 0 : LimitFlags.parseCpus(cpus, Runtime.getRuntime().availableProcessors()),
                    cpuWeight == null ? ContainerLimits.NONE.cpuWeight() : LimitFlags.parseCpuWeight(cpuWeight),
                    pidsLimit == null ? 0 : LimitFlags.parsePidsLimit(pidsLimit));
        } catch (IllegalArgumentException e) {
            throw new Main.UserError(e.getMessage(), 125);
        }
    }

    @Override
    public Integer call() {
        limits();   // a bad flag is reported before an image is fetched
        List<String> cmd = new ArrayList<>(words);
        List<Path> layers;
        List<String> imageEnv = List.of();
        String imageWorkdir = null;
        int uid, gid;
        if (rootfs == null) {
            if (cmd.isEmpty()) throw new Main.UserError("which image? (" + String.join(", ", Images.NAMES) + ", or --rootfs DIR; see 'popek run --help')", 125);
            String image = cmd.removeFirst();
            RunImage.Resolved r = RunImage.resolve(image, cmd, entrypoint, user, System.err);
            layers = r.layers();
            cmd = new ArrayList<>(r.command());
            imageEnv = r.env();
            imageWorkdir = r.workdir();
            uid = r.uid();
            gid = r.gid();
        } else {
            if (!Files.isDirectory(rootfs)) throw new Main.UserError("--rootfs " + rootfs + ": not a directory", 125);
            layers = List.of(rootfs);
            if (entrypoint != null && !entrypoint.isEmpty()) cmd.addFirst(entrypoint);
            if (cmd.isEmpty()) cmd.add("/bin/sh");
            int[] ids = RunImage.numericUser(user);
            uid = ids[0];
            gid = ids[1];
        }
        HostTty host = main.terminal().tty();
        // As Docker's client: -it needs a terminal to read keys from.
        if (tty && interactive && host == null) throw new Main.UserError("the input device is not a TTY", 1);
        for (String e : env) if (e.isEmpty() || e.startsWith("=")) throw new Main.UserError("-e " + e + ": give KEY=VALUE", 125);
        ContainerLimits limits = limits();
        List<String> allEnv = new ArrayList<>(imageEnv);
        allEnv.addAll(env);
        ContainerConfig config = new ContainerConfig(layers, cmd, allEnv, workdir != null ? workdir : imageWorkdir, uid, gid, interactive, tty, stats, ContainerConfig.DEFAULT_MEMORY);
        Stdio stdio = new Stdio(main.terminal().in(), main.terminal().out(), System.err, tty && host != null ? host::size : null);
        if (hostname != null && (hostname.isEmpty() || hostname.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 64 || hostname.indexOf(0) >= 0)) {
            throw new Main.UserError("--hostname " + hostname + ": give a name of 1 to 64 bytes", 125);
        }
        Container c = new Container(config, limits, stdio, System.err);
        if (hostname != null) c.setHostname(hostname);
        boolean raw = tty && interactive && host.enterRaw();
        Thread hook = new Thread(() -> {
            c.kill();
            if (raw) host.restore();
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return c.run();
        } catch (Container.StartFailure f) {
            if (raw) host.restore();
            spec.commandLine().getErr().println("popek: " + f.getMessage());
            return f.exitCode();
        } finally {
            if (raw) host.restore();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down: the hook is running or ran
            }
        }
    }
}
