package popek.cgroup;

import java.util.List;

import org.junit.jupiter.api.Test;

import popek.linux.abi.Errno;
import popek.linux.abi.SyscallException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The cgroup interface files as cgroup-v2.rst and the kernel's parsers define them: what each reads, how writes are
 * parsed, and the errno of each refusal (values from Linux's page_counter_memparse, cpu_period_quota_parse,
 * cpu_weight_write_u64, pids_max_write, cgroup_subtree_control_write, cgroup_mkdir, cgroup_rmdir).
 */
class InterfaceFilesTest {
    private final CgroupHierarchy hierarchy = new CgroupHierarchy();
    private final Cgroup container = hierarchy.newGroup("container");

    private static String read(Cgroup cg, String file) { return InterfaceFiles.read(cg, file, CgroupKernel.NONE); }

    private static void write(Cgroup cg, String file, String text) { InterfaceFiles.write(cg, file, text, CgroupKernel.NONE); }

    private static int errno(Cgroup cg, String file, String text) {
        return assertThrows(SyscallException.class, () -> write(cg, file, text), file + " <- '" + text + "'").errno();
    }

    @Test
    void memoryLimitsReadAndWriteAsPageCountersDo() {
        assertEquals("max\n", read(container, "memory.max"));
        write(container, "memory.max", "64M\n");
        assertEquals("67108864\n", read(container, "memory.max"));
        write(container, "memory.max", "  1g ");
        assertEquals("1073741824\n", read(container, "memory.max"));
        write(container, "memory.max", "4097");
        assertEquals("4096\n", read(container, "memory.max"), "kept in whole pages, rounded down");
        write(container, "memory.max", "0x100000");
        assertEquals("1048576\n", read(container, "memory.max"), "memparse's base 0: hexadecimal");
        write(container, "memory.high", "max");
        assertEquals("max\n", read(container, "memory.high"));
        assertEquals(Errno.EINVAL, errno(container, "memory.max", "1.5G"));
        assertEquals(Errno.EINVAL, errno(container, "memory.max", "-1"));
        assertEquals(Errno.EINVAL, errno(container, "memory.max", "64 M"));
        assertEquals(Errno.EINVAL, errno(container, "memory.max", "maxx"));
        assertEquals("0\n", read(container, "memory.swap.max"), "Popek has no swap");
        assertEquals(Errno.EINVAL, errno(container, "memory.oom.group", "2"));
        write(container, "memory.oom.group", "1");
        assertEquals("1\n", read(container, "memory.oom.group"));
    }

    @Test
    void cpuFilesParseAsTheSchedulersDo() {
        assertEquals("max 100000\n", read(container, "cpu.max"));
        write(container, "cpu.max", "50000 100000");
        assertEquals("50000 100000\n", read(container, "cpu.max"));
        write(container, "cpu.max", "20000\n");
        assertEquals("20000 100000\n", read(container, "cpu.max"), "one number changes only $MAX");
        write(container, "cpu.max", "max 50000");
        assertEquals("max 50000\n", read(container, "cpu.max"));
        assertEquals(Errno.EINVAL, errno(container, "cpu.max", "500 100000"), "a quota under 1 ms");
        assertEquals(Errno.EINVAL, errno(container, "cpu.max", "50000 2000000"), "a period over 1 s");
        assertEquals(Errno.EINVAL, errno(container, "cpu.max", "lots"));
        assertEquals(Errno.EINVAL, errno(container, "cpu.max", ""));
        assertEquals("100\n", read(container, "cpu.weight"));
        write(container, "cpu.weight", "200\n");
        assertEquals("200\n", read(container, "cpu.weight"));
        assertEquals(Errno.ERANGE, errno(container, "cpu.weight", "0"));
        assertEquals(Errno.ERANGE, errno(container, "cpu.weight", "10001"));
        assertEquals(Errno.EINVAL, errno(container, "cpu.weight", "-5"));
        assertEquals(Errno.EINVAL, errno(container, "cpu.weight", " 100"), "kstrtoull: no leading space");
        write(container, "cpu.weight.nice", "-20");
        assertEquals("8668\n", read(container, "cpu.weight"), "nice -20's load weight 88761 as a cgroup weight");
        assertEquals("-20\n", read(container, "cpu.weight.nice"));
        write(container, "cpu.weight", "100");
        assertEquals("0\n", read(container, "cpu.weight.nice"));
        assertEquals(Errno.ERANGE, errno(container, "cpu.weight.nice", "20"));
        assertTrue(read(container, "cpu.stat").startsWith("usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\n"), read(container, "cpu.stat"));
        assertEquals("usage_usec 0\nuser_usec 0\nsystem_usec 0\n", read(hierarchy.root(), "cpu.stat"), "without cpu: no bandwidth counters");
    }

    @Test
    void pidsMaxTakesMaxOrACount() {
        assertEquals("max\n", read(container, "pids.max"));
        write(container, "pids.max", "64\n");
        assertEquals("64\n", read(container, "pids.max"));
        write(container, "pids.max", "0x10");
        assertEquals("16\n", read(container, "pids.max"));
        write(container, "pids.max", "max");
        assertEquals("max\n", read(container, "pids.max"));
        assertEquals(Errno.EINVAL, errno(container, "pids.max", "-1"));
        assertEquals(Errno.EINVAL, errno(container, "pids.max", "4194305"));
        assertEquals(Errno.EINVAL, errno(container, "pids.max", "ten"));
        assertEquals("max 0\n", read(container, "pids.events"));
    }

    @Test
    void controllersAreEnabledTopDownAndOnlyWithoutProcesses() {
        assertEquals("cpu memory pids\n", read(container, "cgroup.controllers"));
        assertEquals("\n", read(container, "cgroup.subtree_control"));
        Cgroup child = InterfaceFiles.mkdir(container, "job");
        assertEquals("\n", read(child, "cgroup.controllers"));
        assertNull(InterfaceFiles.find(child, "memory.max"), "a controller's files are there only where the parent enables it");
        assertEquals(Errno.ENOENT, errno(child, "cgroup.subtree_control", "+memory"), "not in its cgroup.controllers");
        assertEquals(Errno.EINVAL, errno(container, "cgroup.subtree_control", "+io"));
        assertEquals(Errno.EINVAL, errno(container, "cgroup.subtree_control", "memory"));
        container.addLiveTasks(1);
        assertEquals(Errno.EBUSY, errno(container, "cgroup.subtree_control", "+memory"), "no internal processes");
        container.addLiveTasks(-1);
        write(container, "cgroup.subtree_control", "+memory +pids -pids +cpu");
        assertEquals("cpu memory\n", read(container, "cgroup.subtree_control"), "the last word on a controller counts");
        assertNotNull(InterfaceFiles.find(child, "memory.max"));
        write(child, "memory.max", "1M");
        write(child, "cgroup.subtree_control", "+memory");
        assertEquals(Errno.EBUSY, errno(container, "cgroup.subtree_control", "-memory"), "a child still uses it");
        write(child, "cgroup.subtree_control", "-memory");
        write(container, "cgroup.subtree_control", "-memory");
        assertEquals(MemoryControl.MAX, child.memory().max(), "taking the controller away takes its settings");
        assertEquals(Errno.EOPNOTSUPP, errno(child, "cgroup.type", "threaded"), "no threaded mode");
        assertEquals(Errno.EINVAL, errno(child, "cgroup.type", "domain"));
        assertEquals("domain\n", read(child, "cgroup.type"));
    }

    @Test
    void mkdirAndRmdirKeepTheHierarchysLimits() {
        write(container, "cgroup.max.depth", "1");
        Cgroup a = InterfaceFiles.mkdir(container, "a");
        assertEquals(Errno.EAGAIN, assertThrows(SyscallException.class, () -> InterfaceFiles.mkdir(a, "b")).errno());
        write(container, "cgroup.max.depth", "max");
        write(container, "cgroup.max.descendants", "2");
        InterfaceFiles.mkdir(a, "b");
        assertEquals(Errno.EAGAIN, assertThrows(SyscallException.class, () -> InterfaceFiles.mkdir(container, "c")).errno());
        assertEquals(Errno.EEXIST, assertThrows(SyscallException.class, () -> InterfaceFiles.mkdir(container, "a")).errno());
        assertEquals(Errno.ERANGE, errno(container, "cgroup.max.descendants", "-1"));
        assertEquals("nr_descendants 2\nnr_dying_descendants 0\nnr_subsys_cpu 1\nnr_subsys_memory 1\nnr_subsys_pids 1\n",
                read(container, "cgroup.stat"));
        assertEquals(Errno.EBUSY, assertThrows(SyscallException.class, () -> InterfaceFiles.rmdir(container, "a")).errno(), "it has a child");
        a.child("b").addLiveTasks(1);
        assertEquals("populated 1\nfrozen 0\n", read(a, "cgroup.events"), "populated by a descendant's task");
        assertEquals(Errno.EBUSY, assertThrows(SyscallException.class, () -> InterfaceFiles.rmdir(a, "b")).errno(), "it has a task");
        a.child("b").addLiveTasks(-1);
        InterfaceFiles.rmdir(a, "b");
        InterfaceFiles.rmdir(container, "a");
        assertTrue(a.removed());
        assertEquals("populated 0\nfrozen 0\n", read(container, "cgroup.events"));
    }

    @Test
    void theRootHasOnlyTheRootsFiles() {
        List<String> names = InterfaceFiles.of(hierarchy.root()).stream().map(ControlFile::name).toList();
        assertTrue(names.contains("cgroup.procs") && names.contains("cpu.stat"), names.toString());
        assertFalse(names.contains("memory.max") || names.contains("cgroup.type") || names.contains("pids.max"), names.toString());
        assertFalse(InterfaceFiles.find(container, "cgroup.kill").readable(), "write-only");
        assertFalse(InterfaceFiles.find(container, "memory.current").writable());
        assertTrue(InterfaceFiles.find(container, "cgroup.procs").delegatable() && !InterfaceFiles.find(container, "memory.max").delegatable());
    }

    @Test
    void valuesFollowTheKernelsNumberParsers() {
        assertEquals(10, Values.kstrtoull("10\n"));
        assertEquals(8, Values.kstrtoull("010"));
        assertEquals(255, Values.kstrtoull("0xff"));
        assertEquals(-7, Values.kstrtoll("-7"));
        assertEquals(Errno.EINVAL, assertThrows(SyscallException.class, () -> Values.kstrtoull("10\n\n")).errno());
        assertEquals(Errno.EINVAL, assertThrows(SyscallException.class, () -> Values.kstrtoll("-+7")).errno());
        assertEquals(Errno.ERANGE, assertThrows(SyscallException.class, () -> Values.kstrtoll("9223372036854775808")).errno());
        assertEquals(Errno.ERANGE, assertThrows(SyscallException.class, () -> Values.kstrtoint("4294967296")).errno());
        assertEquals(3L << 20, Values.memparse("3m"));
        assertEquals(0, Values.memparse(""), "simple_strtoull reads nothing as 0");
        assertEquals(MemoryControl.MAX, Values.memoryLimit("max\n"));
    }
}
