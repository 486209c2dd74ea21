package popek.cli;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import popek.cgroup.Cgroup;
import popek.cgroup.CpuControl;
import popek.container.Container;
import popek.container.ContainerConfig;
import popek.container.Stdio;
import popek.cpu.StopReason;
import popek.platform.BootImageException;
import popek.platform.Machine;
import popek.platform.MachineBuilder;
import popek.sched.HostScheduler;

/**
 * {@code popek up FILE}: the containers and VMs a TOML file lists, all in this JVM on one host scheduler, their
 * output interleaved line by line with each one's name in front (as {@code docker compose up}), all stopped by
 * Ctrl-C. The exit status is 0 if every one ended with 0, else the first non-zero status in file order (a
 * container's as {@code popek run} gives it, a VM's as {@code popek boot}); 130 after Ctrl-C.
 */
@Command(name = "up", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Start the containers and VMs listed in FILE (TOML: [[container]] and [[vm]] tables with name,",
            "image/rootfs and command, or kernel, cmdline and mode, and limits cpus, cpu-weight, memory, pids-limit) in",
            "this one process, on one host scheduler, and show their output interleaved, each line prefixed with its",
            "name. Ctrl-C stops them all. Exit status: 0 if all ended with 0, else the first non-zero one in file",
            "order; 130 after Ctrl-C; 2 for a bad file."})
final class UpCommand implements Callable<Integer> {
    @ParentCommand Main main;

    @Parameters(paramLabel = "FILE", description = "The TOML file (see README: Scheduling).")
    Path file;

    @Option(names = "--host-cpus", paramLabel = "N", description = "Worker threads (default: the file's host-cpus, else the host's cores).")
    Integer hostCpus;

    /** One running member: its thread, its exit status when done, and how to stop it. */
    private static final class Running {
        final UpFile.Member member;
        Thread thread;
        volatile int status = -1;
        volatile Runnable stop = () -> { };

        Running(UpFile.Member m) { this.member = m; }
    }

    @Override
    public Integer call() {
        UpFile up = UpFile.read(file);
        int workers = hostCpus != null ? hostCpus : up.hostCpus();
        if (workers < 1 || workers > 256) throw new Main.UserError("--host-cpus: must be 1 to 256");
        int width = 0;
        for (UpFile.Member m : up.members()) width = Math.max(width, m.name().length());
        PrintStream out = new PrintStream(main.terminal().out(), true);
        Object lock = new Object();
        // Images are fetched (once) before anything starts, so that a missing one is a clean error.
        List<RunImage.Resolved> images = new ArrayList<>();
        for (UpFile.Member m : up.members()) {
            if (m.vm()) {
                images.add(null);
                try {
                    BootCommand.resolveImage(m.kernel());
                } catch (Main.UserError e) {
                    throw new Main.UserError(file + ": " + m.name() + ": " + e.getMessage());
                }
            } else if (m.rootfs() != null) {
                if (!java.nio.file.Files.isDirectory(m.rootfs())) throw new Main.UserError(file + ": " + m.name() + ": rootfs " + m.rootfs() + ": not a directory");
                List<String> cmd = m.command().isEmpty() ? List.of("/bin/sh") : m.command();
                images.add(new RunImage.Resolved(List.of(m.rootfs()), cmd, List.of(), null, 0, 0));
            } else {
                try {   // a stored image (popek build, load) or a built-in one, as popek run finds it
                    images.add(RunImage.resolve(m.image(), m.command(), null, null, System.err));
                } catch (Main.UserError e) {
                    throw new Main.UserError(file + ": " + m.name() + ": " + e.getMessage());
                }
            }
        }
        Cgroup root = Cgroup.newRoot();
        List<Running> running = new ArrayList<>();
        boolean[] interrupted = {false};
        try (HostScheduler host = new HostScheduler(workers, root)) {
            for (int i = 0; i < up.members().size(); i++) {
                UpFile.Member m = up.members().get(i);
                Cgroup g = root.create(m.name());
                apply(m.limits(), g, m.vm());
                OutputStream lines = new PrefixedLines(pad(m.name(), width) + " | ", out, lock);
                Running r = new Running(m);
                running.add(r);
                if (m.vm()) startVm(r, host, g, lines);
                else startContainer(r, host, g, images.get(i), lines);
            }
            Thread hook = new Thread(() -> {
                interrupted[0] = true;
                for (Running r : running) r.stop.run();
                for (Running r : running) join(r.thread, 5000);
            });
            Runtime.getRuntime().addShutdownHook(hook);
            for (Running r : running) join(r.thread, Long.MAX_VALUE);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // the JVM is shutting down (Ctrl-C): the hook is stopping everything
            }
        }
        if (interrupted[0]) return 130;
        for (Running r : running) if (r.status != 0) return r.status;
        return 0;
    }

    /** cpus: cpu.max's quota per default period; cpu-weight: cpu.weight. */
    /** The member's limits on its cgroup: cpu always; memory.max and pids.max for a container (a VM's memory is its RAM). */
    static void apply(UpFile.Limits l, Cgroup g, boolean vm) {
        if (!vm && l.memoryBytes() > 0) g.memory().setMax(l.memoryBytes());
        if (!vm && l.pidsLimit() > 0) g.pids().setMax(l.pidsLimit());
        g.cpu().setWeight(l.cpuWeight());
        if (l.cpus() > 0) {
            long period = CpuControl.DEFAULT_PERIOD_USEC;
            g.cpu().setMax(Math.max(1_000, Math.round(l.cpus() * period)), period);
        }
    }

    private void startContainer(Running r, HostScheduler host, Cgroup g, RunImage.Resolved image, OutputStream lines) {
        UpFile.Member m = r.member;
        ContainerConfig c = new ContainerConfig(image.layers(), image.command(), image.env(), image.workdir(), image.uid(),
                image.gid(), false, false, false, ContainerConfig.DEFAULT_MEMORY);
        PrintStream diag = new PrintStream(lines, true);
        Container container = new Container(c, new Stdio(InputStream.nullInputStream(), lines, lines), diag);
        r.stop = container::kill;
        r.thread = Thread.ofPlatform().name("popek-up-" + m.name()).start(() -> {
            try {
                r.status = container.run(host, g);
            } catch (Container.StartFailure f) {
                diag.println("popek: " + f.getMessage());
                r.status = f.exitCode();
            } catch (RuntimeException | Error e) {
                diag.println("popek: internal error: " + e);
                r.status = StopReason.Cause.INTERNAL_ERROR.exitCode();
            }
            diag.println("popek: exited with status " + r.status);
            ((PrefixedLines) lines).close();
        });
    }

    private void startVm(Running r, HostScheduler host, Cgroup g, OutputStream lines) {
        UpFile.Member m = r.member;
        Machine machine;
        try {
            machine = new MachineBuilder().memory(m.limits().memoryBytes()).serialOutput(lines).mode(m.mode())
                    .multiboot(BootCommand.resolveImage(m.kernel()), m.cmdline()).build();
        } catch (BootImageException e) {
            throw new Main.UserError(file + ": " + m.name() + ": " + e.getMessage());
        }
        PrintStream diag = new PrintStream(lines, true);
        r.stop = () -> machine.requestStop(new StopReason(StopReason.Cause.INTERRUPTED, "stopped by popek up"));
        r.thread = Thread.ofPlatform().name("popek-up-" + m.name()).start(() -> {
            try (machine) {
                StopReason why = machine.run(host, g);
                r.status = why.exitCode();
                diag.println("popek: " + why.message() + " (exit code " + why.exitCode() + ")");
            } catch (RuntimeException | Error e) {
                diag.println("popek: internal error: " + e);
                r.status = StopReason.Cause.INTERNAL_ERROR.exitCode();
            }
            ((PrefixedLines) lines).close();
        });
    }

    private static String pad(String s, int width) { return s + " ".repeat(width - s.length()); }

    private static void join(Thread t, long millis) {
        if (t == null) return;
        try {
            if (millis == Long.MAX_VALUE) t.join();
            else t.join(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Output cut into lines, each written whole with a prefix, under one lock shared by every member. */
    static final class PrefixedLines extends OutputStream {
        private final byte[] prefix;
        private final PrintStream out;
        private final Object lock;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        PrefixedLines(String prefix, PrintStream out, Object lock) {
            this.prefix = prefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            this.out = out;
            this.lock = lock;
        }

        @Override
        public synchronized void write(int b) {
            line.write(b);
            if (b == '\n') emit();
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = off; i < off + len; i++) write(b[i]);
        }

        /** A line is written only once whole (as docker compose does); what is left at the end goes out with close. */
        @Override
        public synchronized void close() {
            if (line.size() > 0) {
                line.write('\n');
                emit();
            }
        }

        private void emit() {
            synchronized (lock) {
                out.write(prefix, 0, prefix.length);
                out.write(line.toByteArray(), 0, line.size());
                out.flush();
            }
            line.reset();
        }
    }
}
