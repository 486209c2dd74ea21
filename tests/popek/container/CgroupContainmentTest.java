package popek.container;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cgroup.Cgroup;
import popek.cgroup.CpuControl;
import popek.cgroup.MemoryControl;
import popek.linux.LinuxRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a container's cgroup contains, end to end: a fork bomb under pids.max 64, a memory bomb under memory.max 32M
 * (OOM-killed while a neighbour container at work beside it is unharmed, and the pages it took never on Popek's Java
 * heap), the cgroup files as busybox reads and writes them inside, child cgroups made and used from inside. The bombs
 * are tests/linux/bombs.c, put over the busybox image.
 */
class CgroupContainmentTest {
    @TempDir static Path programs;
    static List<Path> layers;

    @BeforeAll
    static void image() throws IOException {
        List<Path> busybox = ChrootOracle.image("busybox");
        Path bombs = programs.resolve("bombs");
        Files.copy(LinuxRun.programs().resolve("bombs"), bombs);
        Files.setPosixFilePermissions(bombs, PosixFilePermissions.fromString("rwxr-xr-x"));
        layers = new ArrayList<>();
        layers.add(programs);
        layers.addAll(busybox);
    }

    private record Result(int status, String out, String err, Cgroup cgroup) { }

    /** A running container: its output so far, and its end (at most 60 s away). */
    private static final class Run {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        final Container container;
        final Thread thread;
        volatile int status = -1;

        Run(ContainerLimits limits, InputStream in, String... cmd) {
            ContainerConfig c = new ContainerConfig(layers, List.of(cmd), List.of(), "/", 0, 0, in != null, false, false, 256L << 20);
            container = new Container(c, limits, new Stdio(in == null ? InputStream.nullInputStream() : in, out, err),
                    new PrintStream(err, true));
            thread = Thread.ofPlatform().name("container " + cmd[0]).start(() -> status = container.run());
        }

        String out() { return out.toString(StandardCharsets.UTF_8); }

        /** Waits (bounded) until the output holds {@code text}. */
        void awaitOutput(String text) throws InterruptedException {
            for (int i = 0; i < 600 && !out().contains(text) && thread.isAlive(); i++) Thread.sleep(100);
            assertTrue(out().contains(text), "waited for '" + text + "': " + out() + err);
        }

        Result end() throws InterruptedException {
            thread.join(TimeUnit.SECONDS.toMillis(60));
            if (thread.isAlive()) {
                container.kill();
                thread.join(5000);
                throw new AssertionError("the container did not end in 60 s: " + out() + err);
            }
            return new Result(status, out(), err.toString(StandardCharsets.UTF_8), container.cgroup());
        }
    }

    private static Result run(ContainerLimits limits, String... cmd) throws InterruptedException {
        return new Run(limits, null, cmd).end();
    }

    private static ContainerLimits memory(long bytes) { return new ContainerLimits(bytes, 0, CpuControl.DEFAULT_WEIGHT, 0); }

    @Test
    void aForkBombStaysAtPidsMaxAndTheContainerEndsCleanly() throws InterruptedException {
        Result r = run(new ContainerLimits(0, 0, CpuControl.DEFAULT_WEIGHT, 64), "/bombs", "fork");
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("""
                first fork error 11
                pids.current 64 of pids.max 64
                pids.events max>0 1
                reaped all: yes, children failing: 0
                pids.current after 1
                """, r.out(), r.err());
        assertEquals(64, r.cgroup().pids().peak(), "never past the limit");
        assertTrue(r.cgroup().pids().maxEvents() >= 64, "every one of the 63 others was refused at least once: " + r.cgroup().pids().maxEvents());
        assertEquals(0, r.cgroup().memory().current(), "everything charged was given back");
        assertEquals(0, r.cgroup().pids().current(), "the first process too, once the container ended");
    }

    @Test
    void aMemoryBombIsOomKilledWhileItsNeighbourWorksOnAndTheHeapStaysPut() throws Exception {
        long heapBefore = usedHeap();
        PipedOutputStream go = new PipedOutputStream();
        Run neighbour = new Run(memory(64L << 20), new PipedInputStream(go), "/bombs", "work", "48", "8");
        neighbour.awaitOutput("ready\n");
        Result bomb = run(memory(32L << 20), "/bombs", "mem", "64");
        // The neighbour holds 48 MiB of pages now: none of it may be on the Java heap.
        long heapGrowth = usedHeap() - heapBefore;
        go.write('\n');
        go.close();
        Result n = neighbour.end();

        assertEquals(137, bomb.status(), "killed by SIGKILL: " + bomb.err());
        assertTrue(bomb.out().contains("touched 31 MiB\n") && !bomb.out().contains("touched 32 MiB"), bomb.out());
        MemoryControl m = bomb.cgroup().memory();
        assertEquals(1, m.events(MemoryControl.OOM_KILL), "one process OOM-killed");
        assertEquals(1, m.events(MemoryControl.OOM));
        assertTrue(m.peak() <= 32L << 20, "never past memory.max: " + m.peak());
        assertEquals(0, m.current(), "all given back");
        assertTrue(bomb.err().contains("killed process 1 (bombs)"), bomb.err());

        assertEquals(0, n.status(), n.out() + n.err());
        assertTrue(n.out().endsWith("work done: 8 children, 0 bad\n"), n.out());
        assertEquals(0, n.cgroup().memory().events(MemoryControl.OOM_KILL));
        assertTrue(n.cgroup().memory().peak() > 48L << 20, "the neighbour's pages are charged to it: " + n.cgroup().memory().peak());
        assertTrue(heapGrowth < 12L << 20, "48 MiB held in a container grew the heap by " + (heapGrowth >> 10) + " KiB");
    }

    @Test
    void anAddressSpacesAreasAreBoundedAsLinuxBoundsThem() throws InterruptedException {
        Result r = run(ContainerLimits.NONE, "/bombs", "maps");
        assertEquals(0, r.status(), r.err());
        var m = java.util.regex.Pattern.compile("mmap refused with 12 after (\\d+) areas\n").matcher(r.out());
        assertTrue(m.matches(), r.out());
        int areas = Integer.parseInt(m.group(1));
        assertTrue(areas > 65_500 && areas <= 65_531, "vm.max_map_count 65530 and the program's own few: " + areas);
    }

    private static long usedHeap() {
        var bean = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++) System.gc();
        return bean.getHeapMemoryUsage().getUsed();
    }

    @Test
    void memoryFilesAreChargedTooSoTheyCannotPassTheLimit() throws InterruptedException {
        // The writer in a child cgroup of 32M, the shell beside it (the pages it leaves in /tmp stay charged to the job).
        Result r = run(ContainerLimits.NONE, "sh", "-c", """
                cd /sys/fs/cgroup
                mkdir init job
                echo $$ > init/cgroup.procs
                echo +memory > cgroup.subtree_control
                echo 32M > job/memory.max
                sh -c 'echo $$ > /sys/fs/cgroup/job/cgroup.procs; exec dd if=/dev/zero of=/tmp/big bs=1M count=64 2>/dev/null'
                echo "dd $?"
                grep '^oom_kill ' job/memory.events
                test "$(grep '^shmem ' job/memory.stat | cut -d' ' -f2)" -gt 30000000 && echo "the file is charged to the job"
                : > /tmp/big
                grep '^shmem ' job/memory.stat
                """);
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("dd 137\noom_kill 1\nthe file is charged to the job\nshmem 0\n", r.out(), r.err());
        Cgroup job = r.cgroup().child("job");
        assertTrue(job.memory().peak() <= 32L << 20, "never past memory.max: " + job.memory().peak());
        assertEquals(0, r.cgroup().memory().current(), "everything given back with the container");
    }

    @Test
    void theLimitsAreTheContainersCgroupFilesWhichItCannotRaise() throws InterruptedException {
        Result r = run(new ContainerLimits(64L << 20, 50_000, 200, 64), "sh", "-c", """
                cd /sys/fs/cgroup
                cat memory.max pids.max cpu.max cpu.weight cgroup.controllers cgroup.type
                while read p; do echo "proc $p"; done < cgroup.procs
                test "$(cat memory.current)" -gt 100000 && echo charged
                grep -E '^(anon|kernel_stack) [1-9]' memory.stat | cut -d' ' -f1
                echo 1G > memory.max || echo refused
                echo 1000 > pids.max || echo refused
                cat memory.max pids.max
                grep -c cgroup2 /proc/mounts
                """);
        assertEquals(0, r.status(), r.err());
        assertEquals("""
                67108864
                64
                50000 100000
                200
                cpu memory pids
                domain
                proc 1
                charged
                anon
                kernel_stack
                refused
                refused
                67108864
                64
                1
                """, r.out(), r.err());
        assertTrue(r.err().contains("Operation not permitted"), r.err());
    }

    @Test
    void aContainerMakesAndUsesChildCgroups() throws InterruptedException {
        Result r = run(ContainerLimits.NONE, "sh", "-c", """
                cd /sys/fs/cgroup
                mkdir job
                echo +memory > cgroup.subtree_control || echo busy with processes
                echo $$ > job/cgroup.procs
                while read p; do echo "job $p"; done < job/cgroup.procs
                while read p; do echo "root $p"; done < cgroup.procs
                echo "+memory +pids" > cgroup.subtree_control && cat cgroup.subtree_control
                echo 20M > job/memory.max && cat job/memory.max
                /bombs mem 64 > /dev/null
                echo "bomb $?"
                grep oom_kill job/memory.events memory.events
                rmdir job || echo rmdir refused
                echo $$ > cgroup.procs || echo not into a cgroup that distributes
                echo "-memory -pids" > cgroup.subtree_control
                echo $$ > cgroup.procs
                rmdir job && echo removed
                mkdir k
                sh -c 'echo $$ > /sys/fs/cgroup/k/cgroup.procs; exec sleep 60' &
                until read p < k/cgroup.procs; do :; done
                echo 1 > k/cgroup.kill
                wait $!
                echo "killed $?"
                mkdir /tmp/cg && mount -t cgroup2 none /tmp/cg && ls /tmp/cg | grep -c '^cgroup.procs$'
                """);
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("""
                busy with processes
                job 1
                memory pids
                20971520
                bomb 137
                job/memory.events:oom_kill 1
                memory.events:oom_kill 1
                rmdir refused
                not into a cgroup that distributes
                removed
                killed 137
                1
                """, r.out(), r.err());
    }

    /**
     * A process moved by cgroup.procs runs on the scheduler in its new cgroup, and so do its children: their CPU time
     * shows in that cpu.stat (a child that has ended: a running task's slice is charged when it leaves the CPU).
     */
    @Test
    void cpuTimeIsChargedWhereTheProcessWasMoved() throws InterruptedException {
        Result r = run(ContainerLimits.NONE, "sh", "-c", """
                cd /sys/fs/cgroup
                mkdir busy idle
                echo $$ > busy/cgroup.procs
                sh -c 'i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done'
                b=$(grep usage_usec busy/cpu.stat | cut -d' ' -f2)
                n=$(grep usage_usec idle/cpu.stat | cut -d' ' -f2)
                [ "$b" -gt 1000 ] && echo "busy charged"
                echo "idle $n"
                """);
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("busy charged\nidle 0\n", r.out(), r.err());
    }
}
