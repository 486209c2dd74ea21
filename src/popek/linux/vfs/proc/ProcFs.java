package popek.linux.vfs.proc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import popek.linux.vfs.Caller;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.FileTimes;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.Inode;
import popek.linux.vfs.Location;
import popek.linux.vfs.StatFs;

/**
 * /proc (Linux's procfs): a directory per process of the pid namespace ({@link ProcessFiles}), {@code self}, and the
 * system's files ({@link SystemFiles}): meminfo, cpuinfo, stat, uptime, loadavg, mounts, version, filesystems,
 * sys/kernel/... Everything is made when looked up or opened, from what the kernel's {@link ProcSource} says then.
 */
public final class ProcFs extends FileSystem {
    public static final long MAGIC = 0x9fa0;

    /** How /proc's magic links are followed: exe (the program's path walked from the process's root), ns/KIND (nsfs). */
    public interface Resolver {
        Location resolve(FsContext fs, String path);

        /** The nsfs file of {@code ns}. */
        Location namespaceFile(popek.linux.ns.Namespace ns);
    }

    private final ProcSource source;
    private final Resolver resolver;
    private final Map<String, Long> inodes = new HashMap<>();
    private long nextIno = 1;
    private final long mounted = FileTimes.now();
    private final ProcDir root;
    private final ProcessFiles processes;
    private final SystemFiles system;

    public ProcFs(int dev, ProcSource source, Resolver resolver) {
        super("proc", dev);
        this.source = source;
        this.resolver = resolver;
        this.processes = new ProcessFiles(this);
        this.system = new SystemFiles(this);
        this.root = new ProcDir(this, "", 0555, 0, 0, this::rootNames, this::rootChild);
    }

    @Override
    public Inode root() { return root; }

    ProcSource processes() { return source; }

    Resolver resolver() { return resolver; }

    long mounted() { return mounted; }

    synchronized long ino(String key) {
        Long n = inodes.get(key);
        if (n == null) {
            n = nextIno++;
            inodes.put(key, n);
        }
        return n;
    }

    private List<String> rootNames() {
        List<String> names = new ArrayList<>(system.rootNames());
        for (int pid : source.pids()) names.add(Integer.toString(pid));
        return names;
    }

    private Inode rootChild(String name) {
        int pid = number(name);
        if (pid > 0) return processes.directory(pid);
        return system.rootChild(name);
    }

    /** A decimal number as Linux writes it (no sign, no leading zero), or -1. */
    static int number(String s) {
        if (s.isEmpty() || s.length() > 9 || (s.length() > 1 && s.charAt(0) == '0')) return -1;
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            n = n * 10 + (c - '0');
        }
        return n;
    }

    // ---------------------------------------------------------------- node makers for ProcessFiles and SystemFiles

    ProcFile file(String key, int mode, int uid, int gid, Function<Caller, String> text) {
        return new ProcFile(this, key, mode, uid, gid, c -> text.apply(c).getBytes(StandardCharsets.ISO_8859_1), null);
    }

    ProcFile bytes(String key, int mode, int uid, int gid, Function<Caller, byte[]> contents) {
        return new ProcFile(this, key, mode, uid, gid, contents, null);
    }

    ProcFile writable(String key, Function<Caller, String> text, java.util.function.BiConsumer<Caller, String> writer) {
        return writable(key, 0644, 0, 0, text, writer);
    }

    ProcFile writable(String key, int mode, int uid, int gid, Function<Caller, String> text,
                      java.util.function.BiConsumer<Caller, String> writer) {
        return new ProcFile(this, key, mode, uid, gid, c -> text.apply(c).getBytes(StandardCharsets.ISO_8859_1), writer);
    }

    ProcLink link(String key, int uid, int gid, Function<Caller, String> text) {
        return new ProcLink(this, key, uid, gid, text, null, null);
    }

    ProcLink magic(String key, int uid, int gid, Function<Caller, String> text, Function<Caller, Location> place,
                   Function<Caller, popek.linux.vfs.FileDescription> file) {
        return new ProcLink(this, key, uid, gid, text, place, file);
    }

    ProcDir dir(String key, int mode, int uid, int gid, java.util.function.Supplier<List<String>> names, Function<String, Inode> child) {
        return new ProcDir(this, key, mode, uid, gid, names, child);
    }

    @Override
    public void statfs(StatFs out) {
        out.type = MAGIC;
        out.blockSize = 4096;
    }
}
