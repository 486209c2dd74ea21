package popek.sched;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.management.ThreadMXBean;

import popek.linux.auth.Credentials;
import popek.linux.kernel.Kernel;
import popek.linux.proc.KernelProcSource;
import popek.linux.syscalls.LinuxSyscalls;
import popek.linux.vfs.host.HostInput;
import popek.linux.vfs.host.HostOutput;
import popek.linux.vfs.setup.ContainerFiles;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A switch allocates nothing: two processes passing a byte back and forth over pipes block and wake each other on
 * every step, each a slice of the scheduler (put, pick, the kernel's CPU changing hands); ten times more round trips
 * must not allocate more on the worker, which is the calling thread.
 */
class SwitchAllocationTest {
    @TempDir Path root;

    private long allocatedDuring(int roundTrips) throws Exception {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ContainerFiles files = new ContainerFiles(List.of(root));
        Kernel k = new Kernel(64L << 20, LinuxSyscalls.table(), files.vfs(), new PrintStream(log, true));
        files.attach(new KernelProcSource(k));
        try {
            byte[][] argv = {"/syscallbench".getBytes(StandardCharsets.UTF_8), "pipe".getBytes(StandardCharsets.UTF_8),
                    Integer.toString(roundTrips).getBytes(StandardCharsets.UTF_8)};
            k.spawn(new Kernel.Spawn("/syscallbench", argv, new byte[0][], Credentials.ROOT, "/",
                    new HostInput(new ByteArrayInputStream(new byte[0]), k::post), new HostOutput(log, 2), new HostOutput(log, 3)));
            long before = threads.getCurrentThreadAllocatedBytes();
            int status = k.run();
            long after = threads.getCurrentThreadAllocatedBytes();
            assertEquals(0, status, log.toString(StandardCharsets.UTF_8));
            return after - before;
        } finally {
            k.close();
            files.close();
        }
    }

    @Test
    void blockingAndWakingAllocateNothing() throws Exception {
        Files.copy(GuestRun.guestImage("linux/syscallbench"), root.resolve("syscallbench"));
        root.resolve("syscallbench").toFile().setExecutable(true);
        allocatedDuring(2_000);   // warm-up: class loading and JIT compilation allocate once
        long few = allocatedDuring(2_000);
        long many = allocatedDuring(20_000);
        assertTrue(many - few < 64 * 1024, "18,000 more round trips (72,000 switches) allocated " + (many - few) + " bytes");
    }
}
