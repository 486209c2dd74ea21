package popek.cgroup;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import popek.linux.abi.Errno;

/**
 * The memory controller's files, backed by {@link MemoryControl}. Limits read and write as page_counter_memparse
 * has them ("max", or bytes with K/M/G... suffixes, kept in whole pages). Lowering memory.max below usage reclaims
 * and then OOM-kills, as Linux's memory_max_write does; lowering memory.high reclaims only. memory.min, memory.low
 * and memory.swap.max are kept and shown but change nothing: Popek never reclaims one cgroup for another's sake,
 * and has no swap.
 */
final class MemoryFiles {
    private MemoryFiles() { }

    static void add(List<ControlFile> out) {
        Predicate<Cgroup> mem = cg -> cg.has(Controller.MEMORY);
        out.add(ControlFile.readOnly("memory.current", mem, (cg, f) -> cg.memory().current() + "\n"));
        out.add(ControlFile.readOnly("memory.events", mem, (cg, f) -> events(cg, false)));
        out.add(ControlFile.readOnly("memory.events.local", mem, (cg, f) -> events(cg, true)));
        out.add(ControlFile.readWrite("memory.high", mem, (cg, f) -> limit(cg.memory().high()), (cg, s, f) -> {
            long v = Values.memoryLimit(s);
            cg.memory().setHigh(v);
            f.kernel().reclaim(cg, cg.memory().high(), false);
        }));
        out.add(ControlFile.readWrite("memory.low", mem, (cg, f) -> limit(cg.memory().low()),
                (cg, s, f) -> cg.memory().setLow(Values.memoryLimit(s))));
        out.add(ControlFile.readWrite("memory.max", mem, (cg, f) -> limit(cg.memory().max()), (cg, s, f) -> {
            long v = Values.memoryLimit(s);
            cg.memory().setMax(v);
            f.kernel().reclaim(cg, cg.memory().max(), true);
        }));
        out.add(ControlFile.readWrite("memory.min", mem, (cg, f) -> limit(cg.memory().min()),
                (cg, s, f) -> cg.memory().setMin(Values.memoryLimit(s))));
        out.add(ControlFile.readWrite("memory.oom.group", mem, (cg, f) -> (cg.memory().oomGroup() ? 1 : 0) + "\n", (cg, s, f) -> {
            int v = Values.kstrtoint(Values.strip(s));
            if (v != 0 && v != 1) throw Errno.error(Errno.EINVAL);
            cg.memory().setOomGroup(v == 1);
        }));
        out.add(ControlFile.delegatable("memory.peak", 0644, mem, MemoryFiles::peak, (cg, s, f) -> {
            if (!s.isEmpty()) f.resetPeak(cg.memory());
        }));
        out.add(ControlFile.delegatable("memory.reclaim", 0200, mem, null, MemoryFiles::reclaim));
        out.add(ControlFile.readOnly("memory.stat", mem, MemoryFiles::stat));
        out.add(ControlFile.readOnly("memory.swap.current", mem, (cg, f) -> "0\n"));
        out.add(ControlFile.readWrite("memory.swap.max", mem, (cg, f) -> limit(cg.memory().swapMax()),
                (cg, s, f) -> cg.memory().setSwapMax(Values.memoryLimit(s))));
    }

    private static String limit(long v) { return Values.limit(v, MemoryControl.MAX) + "\n"; }

    private static String peak(Cgroup cg, OpenFile f) {
        AtomicLong own = f.peak();
        return (own != null ? own.get() : cg.memory().peak()) + "\n";
    }

    /** memory.reclaim: "AMOUNT [swappiness=N]"; EAGAIN when less than AMOUNT could be freed. */
    private static void reclaim(Cgroup cg, String s, OpenFile f) {
        String[] words = Values.strip(s).split(" ");
        long want = Values.memparse(words[0]);
        for (int i = 1; i < words.length; i++) {
            if (words[i].isEmpty()) continue;
            if (!words[i].startsWith("swappiness=")) throw Errno.error(Errno.EINVAL);
            String v = words[i].substring("swappiness=".length());
            if (!v.equals("max")) {
                long n = Values.kstrtoll(v);
                if (n < 0 || n > 200) throw Errno.error(Errno.EINVAL);
            }
        }
        long target = Math.max(0, cg.memory().current() - want);
        if (f.kernel().reclaim(cg, target, false) < want) throw Errno.error(Errno.EAGAIN);
    }

    private static String events(Cgroup cg, boolean local) {
        MemoryControl m = cg.memory();
        StringBuilder b = new StringBuilder();
        for (int e = 0; e < MemoryControl.EVENTS; e++) {
            b.append(MemoryControl.EVENT_NAMES[e]).append(' ').append(local ? m.localEvents(e) : m.events(e)).append('\n');
        }
        return b.toString();
    }

    /**
     * memory.stat in Linux's order, every figure Popek measures: anon, file (page cache and shared memory), shmem,
     * kernel (kernel stacks and page tables), the LRU lists (Popek keeps none: everything counts as active), pgfault
     * and pgsteal; the kinds Popek does not have (swap, slab, THP, ...) are 0.
     */
    private static String stat(Cgroup cg, OpenFile f) {
        MemoryControl m = cg.memory();
        long anon = m.charged(MemoryControl.ANON), shmem = m.charged(MemoryControl.SHMEM);
        long file = m.charged(MemoryControl.FILE) + shmem;
        long stack = m.charged(MemoryControl.KERNEL_STACK), tables = m.charged(MemoryControl.PAGETABLES);
        StringBuilder b = new StringBuilder();
        Object[] rows = {
            "anon", anon, "file", file, "kernel", stack + tables, "kernel_stack", stack, "pagetables", tables,
            "sec_pagetables", 0, "percpu", 0, "sock", 0, "vmalloc", 0, "shmem", shmem, "file_mapped", 0, "file_dirty", 0,
            "file_writeback", 0, "swapcached", 0, "anon_thp", 0, "file_thp", 0, "shmem_thp", 0,
            "inactive_anon", 0, "active_anon", anon + shmem, "inactive_file", 0, "active_file", file - shmem,
            "unevictable", 0, "slab_reclaimable", 0, "slab_unreclaimable", 0, "slab", 0,
            "pgscan", m.reclaimed() / 4096, "pgsteal", m.reclaimed() / 4096, "pgfault", m.faults(), "pgmajfault", 0};
        for (int i = 0; i < rows.length; i += 2) b.append(rows[i]).append(' ').append(rows[i + 1]).append('\n');
        return b.toString();
    }
}
