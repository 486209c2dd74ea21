package popek.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import popek.linux.auth.Credentials;
import popek.linux.kernel.Kernel;
import popek.linux.syscalls.LinuxSyscalls;
import popek.linux.proc.KernelProcSource;
import popek.linux.vfs.setup.ContainerFiles;
import popek.linux.vfs.host.HostInput;
import popek.linux.vfs.host.HostOutput;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Runs one Linux program in a fresh kernel over a host directory, with a bounded wait, and keeps what it printed. */
public record LinuxRun(int status, String out, String err, Kernel kernel) {
    /** The Linux test programs (tests/linux/*.c), built by the build. */
    public static Path programs() {
        Path p = Path.of(System.getProperty("popek.testGuests", "target/test-guests")).resolve("linux");
        assumeTrue(Files.isDirectory(p), "the Linux test programs are not built: " + p);
        return p;
    }

    /** The exit code if the program exited, else -signal. */
    public int exitCode() { return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : -(status & 0x7F); }

    public static LinuxRun run(Path root, String input, String... argv) { return run(root, input, List.of(), argv); }

    /** Runs {@code argv[0]} (a path in {@code root}) with {@code env}, {@code input} on its stdin; 30 s at most. */
    public static LinuxRun run(Path root, String input, List<String> env, String... argv) {
        return run(256L << 20, root, input, env, argv);
    }

    /** The same with a page pool of {@code memory} bytes. */
    public static LinuxRun run(long memory, Path root, String input, List<String> env, String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream(), log = new ByteArrayOutputStream();
        ContainerFiles files = new ContainerFiles(List.of(root));
        Kernel k = new Kernel(memory, LinuxSyscalls.table(), files.vfs(), new PrintStream(log, true));
        files.attach(new KernelProcSource(k));
        files.attachCgroups(k.cgroups());
        try {
            byte[][] args = new byte[argv.length][];
            for (int i = 0; i < argv.length; i++) args[i] = argv[i].getBytes(StandardCharsets.UTF_8);
            List<byte[]> envs = new ArrayList<>();
            for (String e : env) envs.add(e.getBytes(StandardCharsets.UTF_8));
            k.spawn(new Kernel.Spawn(argv[0], args, envs.toArray(new byte[0][]), Credentials.ROOT, "/",
                    new HostInput(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)), k::post),
                    new HostOutput(out, 2), new HostOutput(err, 3)));
            int[] status = {-1};
            Throwable[] failure = {null};
            Thread runner = Thread.ofPlatform().name("linux-test").start(() -> {
                try {
                    status[0] = k.run();
                } catch (Throwable t) {
                    failure[0] = t;
                }
            });
            runner.join(TimeUnit.SECONDS.toMillis(30));
            if (runner.isAlive()) {
                k.killAll();
                runner.join(5000);
                throw new AssertionError("the program did not finish in 30 s; it printed:\n" + out + err + log);
            }
            if (failure[0] != null) throw new AssertionError("the kernel failed", failure[0]);
            return new LinuxRun(status[0], out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8) + log.toString(StandardCharsets.UTF_8), k);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            k.close();
            files.close();
        }
    }
}
