package popek.cli;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.cgroup.Cgroup;
import popek.cgroup.CgroupHierarchy;
import popek.cgroup.LimitFlags;
import popek.linux.LinuxRun;
import popek.testing.FlatKernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code popek run --memory --cpus --cpu-weight --pids-limit} and {@code popek boot --cpus --cpu-weight}: Docker's
 * readings of the values, one line and exit 125 (run) or 2 (boot) for a bad one, and the cgroup each run gets.
 */
class ResourceFlagsTest {
    @TempDir Path dir;

    private record Outcome(int code, String out, String err) { }

    private Outcome popek(String... args) {
        StringWriter err = new StringWriter();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Main.execute(args, new PrintWriter(err, true), new Terminal(InputStream.nullInputStream(), out));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    private static void assertOneLine(Outcome o, int code, String containing) {
        assertEquals(code, o.code, o.err);
        assertEquals(1, o.err.lines().count(), "one line: " + o.err);
        assertTrue(o.err.startsWith("popek: ") && o.err.contains(containing), o.err);
        assertFalse(o.err.contains("Exception"), o.err);
    }

    @Test
    void valuesAreReadAsDockerReadsThem() {
        assertEquals(64L << 20, LimitFlags.parseMemory("64M"));
        assertEquals(64L << 20, LimitFlags.parseMemory("64mb"));
        assertEquals(1L << 30, LimitFlags.parseMemory("1g"));
        assertEquals(3L << 29, LimitFlags.parseMemory("1.5GiB"));
        assertEquals(10_000_000, LimitFlags.parseMemory("10000000"));
        assertEquals(0, LimitFlags.parseMemory("0"), "no limit");
        assertEquals(50_000, LimitFlags.parseCpus("0.5", 2));
        assertEquals(150_000, LimitFlags.parseCpus("1.5", 2));
        assertEquals(1_000, LimitFlags.parseCpus("0.01", 2));
        assertEquals(0, LimitFlags.parseCpus("0", 2));
        assertEquals(200, LimitFlags.parseCpuWeight("200"));
        assertEquals(64, LimitFlags.parsePidsLimit("64"));
        assertEquals(0, LimitFlags.parsePidsLimit("-1"), "unlimited");
        assertThrows(IllegalArgumentException.class, () -> LimitFlags.parseCpus("0.001", 2));
        assertThrows(IllegalArgumentException.class, () -> LimitFlags.parseCpus("-1", 2));
        assertThrows(IllegalArgumentException.class, () -> LimitFlags.parseMemory("1.2.3m"));
        assertThrows(IllegalArgumentException.class, () -> LimitFlags.parsePidsLimit("-2"));
    }

    @Test
    void badValuesAreOneLineAndDockers125() {
        assertOneLine(popek("run", "--memory", "lots", "busybox"), 125, "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'");
        assertOneLine(popek("run", "-m", "1M", "busybox"), 125, "Minimum memory limit allowed is 6MB");
        assertOneLine(popek("run", "--cpus", "half", "busybox"), 125, "failed to parse half as a rational number");
        int cpus = Runtime.getRuntime().availableProcessors();
        assertOneLine(popek("run", "--cpus", "1000", "busybox"), 125,
                "Range of CPUs is from 0.01 to " + cpus + ".00, as there are only " + cpus + " CPUs available");
        assertOneLine(popek("run", "--cpu-weight", "0", "busybox"), 125, "--cpu-weight 0: give a cpu.weight from 1 to 10000");
        assertOneLine(popek("run", "--pids-limit", "many", "busybox"), 125, "invalid argument \"many\" for \"--pids-limit\" flag");
        assertOneLine(popek("boot", "--cpus", "1000", dir.resolve("k").toString()), Main.USAGE, "Range of CPUs");
        assertOneLine(popek("boot", "--cpu-weight", "10001", dir.resolve("k").toString()), Main.USAGE, "--cpu-weight 10001");
    }

    @Test
    void runSetsTheContainersCgroup() throws Exception {
        Path bombs = dir.resolve("bombs");
        Files.copy(LinuxRun.programs().resolve("bombs"), bombs);
        Files.setPosixFilePermissions(bombs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Outcome o = popek("run", "--memory", "64M", "--cpus", "0.5", "--cpu-weight", "200", "--pids-limit", "16", "--rootfs",
                dir.toString(), "/bombs", "fork");
        assertEquals(0, o.code, o.err);
        assertTrue(o.out.contains("pids.current 16 of pids.max 16\n"), o.out);
    }

    @Test
    void bootPutsTheVmInACgroupWithItsCpuSettingsAndItsRamCharged() throws Exception {
        Path k = new FlatKernel().emit(0xEB, 0xFE).writeTo(dir, "spin.bin");   // jmp $
        AtomicReference<Cgroup> seen = new AtomicReference<>();
        Thread watcher = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 200 && seen.get() == null; i++) {
                for (Cgroup c : CgroupHierarchy.host().root().children()) {
                    if (c.name().startsWith("vm-") && c.cpu().weight() == 321) seen.set(c);
                }
                try {
                    Thread.sleep(25);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        Outcome o = popek("boot", "--memory", "16M", "--cpus", "0.5", "--cpu-weight", "321", "--timeout", "3s", k.toString());
        watcher.join(10_000);
        assertEquals(66, o.code, "stopped by --timeout: " + o.err);
        Cgroup vm = seen.get();
        assertNotNull(vm, "a vm-N cgroup while it ran");
        assertEquals(50_000, vm.cpu().quotaUsec());
        assertEquals(100_000, vm.cpu().periodUsec());
        assertEquals(0, vm.memory().current(), "its 16 MiB of RAM, charged while it ran, given back");
        assertEquals(16L << 20, vm.memory().peak());
        assertTrue(vm.removed(), "gone from the hierarchy once the VM stopped");
    }
}
