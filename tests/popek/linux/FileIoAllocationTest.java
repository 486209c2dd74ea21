package popek.linux;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.sun.management.ThreadMXBean;

import popek.linux.auth.Credentials;
import popek.linux.kernel.Kernel;
import popek.linux.proc.KernelProcSource;
import popek.linux.syscalls.LinuxSyscalls;
import popek.linux.vfs.host.HostInput;
import popek.linux.vfs.host.HostOutput;
import popek.linux.vfs.setup.ContainerFiles;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The common file calls allocate nothing: reads of /dev/zero, writes to /dev/null, pread, pwrite, lseek and fstat64
 * of a tmpfs file and of an image's file, a pipe's write, poll and read. Ten times more of them must not allocate
 * more on the kernel's thread (bytes, not time: deterministic; the budget covers one-off allocations such as a JIT
 * deoptimisation's).
 */
class FileIoAllocationTest {
    /** Bytes the kernel's thread allocated running fileloop with {@code n} iterations. */
    private static long allocatedDuring(int n) { return allocatedDuring(n, 31); }

    private static long allocatedDuring(int n, int mask) {
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        ContainerFiles files = new ContainerFiles(List.of(LinuxRun.programs()));
        Kernel k = new Kernel(64L << 20, LinuxSyscalls.table(), files.vfs(), new PrintStream(log, true));
        files.attach(new KernelProcSource(k));
        try {
            byte[][] argv = {"/fileloop".getBytes(StandardCharsets.UTF_8), Integer.toString(n).getBytes(StandardCharsets.UTF_8),
                    Integer.toString(mask).getBytes(StandardCharsets.UTF_8)};
            k.spawn(new Kernel.Spawn("/fileloop", argv, new byte[0][], Credentials.ROOT, "/",
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
    void fileCallsAllocateNothing() {
        allocatedDuring(2_000);   // warm-up: class loading and JIT compilation allocate once
        long few = allocatedDuring(2_000);
        long many = allocatedDuring(20_000);
        assertTrue(many - few < 64 * 1024, "18,000 more iterations (234,000 calls) allocated " + (many - few) + " bytes");
    }
}
