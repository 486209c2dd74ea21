package popek.linux.vfs.cgroupfs;

import java.util.Map;
import java.util.WeakHashMap;

import popek.cgroup.Cgroup;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatFs;

/**
 * cgroup2 (Linux's cgroup v2 file system) over Popek's hierarchy, as a container sees it: the root of the mount is the
 * container's own cgroup (a private cgroup namespace's view), each child cgroup a directory that mkdir makes and rmdir
 * removes, and each cgroup's interface files ({@link popek.cgroup.InterfaceFiles}) regular files read and written as
 * Linux's are. Nothing above the container's cgroup can be reached.
 */
public final class CgroupFs extends FileSystem {
    /** CGROUP2_SUPER_MAGIC: "cgrp". */
    public static final long MAGIC = 0x63677270;
    /** Inode numbers: each cgroup gets a block of this many (its directory, then its files by their order). */
    static final int INODES_PER_CGROUP = 64;

    private final CgroupSource source;
    private final Map<Cgroup, Long> numbers = new WeakHashMap<>();
    private long next = 1;
    private final CgroupDir root;

    public CgroupFs(int dev, CgroupSource source) {
        super("cgroup2", dev);
        this.source = source;
        this.root = new CgroupDir(this, null);
    }

    @Override
    public Inode root() { return root; }

    CgroupSource cgroups() { return source; }

    /** The first inode number of {@code cg}'s block. */
    synchronized long ino(Cgroup cg) {
        Long n = numbers.get(cg);
        if (n == null) {
            n = next * INODES_PER_CGROUP;
            next++;
            numbers.put(cg, n);
        }
        return n;
    }

    @Override
    public String source() { return "cgroup"; }

    @Override
    public String options() { return "nsdelegate,memory_recursiveprot"; }

    @Override
    public void statfs(StatFs out) {
        out.type = MAGIC;
        out.blockSize = 4096;
    }
}
