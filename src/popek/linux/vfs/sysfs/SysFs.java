package popek.linux.vfs.sysfs;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import popek.linux.abi.FileFlags;
import popek.linux.vfs.DirectoryFile;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.FileTimes;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.StatFs;

/**
 * /sys as a container gets it: Popek models no devices, so only the directories other mounts need are there
 * ({@code fs/cgroup}, where cgroup2 is mounted), read-only as Docker mounts sysfs.
 */
public final class SysFs extends FileSystem {
    /** SYSFS_MAGIC. */
    public static final long MAGIC = 0x62656572;

    private final long made = FileTimes.now();
    private long nextIno = 1;
    private final Dir root;

    public SysFs(int dev) {
        super("sysfs", dev);
        root = new Dir();
        Dir fsDir = root.add("fs");
        fsDir.add("cgroup");
        root.add("kernel");
        root.add("devices");
    }

    @Override
    public Inode root() { return root; }

    @Override
    public boolean readOnly() { return true; }

    @Override
    public void statfs(StatFs out) {
        out.type = MAGIC;
        out.blockSize = 4096;
    }

    /** A directory of the fixed tree. */
    private final class Dir extends Inode {
        private final long ino = nextIno++;
        private final Map<String, Dir> children = new TreeMap<>();

        Dir() { super(SysFs.this); }

        Dir add(String name) {
            Dir d = new Dir();
            children.put(name, d);
            return d;
        }

        @Override
        public long ino() { return ino; }

        @Override
        public int mode() { return FileFlags.S_IFDIR | 0755; }

        @Override
        public int uid() { return 0; }

        @Override
        public int gid() { return 0; }

        @Override
        public void stat(StatBuf out) {
            out.clear();
            out.dev = dev();
            out.ino = ino;
            out.mode = mode();
            out.nlink = 2 + children.size();
            out.times(made, made, made);
        }

        @Override
        public Inode lookup(String name) { return children.get(name); }

        @Override
        public void list(List<Entry> out) {
            for (var e : children.entrySet()) out.add(new Entry(e.getKey(), e.getValue().ino, DirectoryFile.direntType(FileFlags.S_IFDIR)));
        }
    }
}
