package popek.linux.vfs.dev;

import java.util.List;
import java.util.TreeMap;

import popek.linux.abi.FileFlags;
import popek.linux.vfs.DeviceNumbers;
import popek.linux.vfs.DirentSink;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.FileTimes;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.StatFs;

/**
 * The pseudo-terminal file system mounted at /dev/pts (Linux's devpts, one instance per container as with
 * "newinstance"): {@code ptmx} (5,2), and one node N (136,N) per pseudo-terminal the terminal package has made,
 * listed while it exists. The terminal package calls {@link #add} when /dev/ptmx makes a pair and {@link #remove}
 * when the pair goes; the nodes' owner and mode change by chown and chmod (grantpt) like any file's.
 */
public final class DevPts extends FileSystem {
    public static final long MAGIC = 0x1cd1;
    /** The tty group, which devpts gives the slaves (Docker mounts it with gid=5,mode=620). */
    public static final int TTY_GID = 5;

    private final TreeMap<Integer, Node> slaves = new TreeMap<>();
    private final Root root = new Root();
    private final Node ptmx;

    public DevPts(int dev) {
        super("devpts", dev);
        ptmx = new Node(2, FileFlags.S_IFCHR | 0666, DeviceNumbers.makedev(DeviceRegistry.TTYAUX_MAJOR, 2), 0, 0);
    }

    @Override
    public Inode root() { return root; }

    /** Makes node {@code index} for a new pseudo-terminal, owned by {@code uid} (mode 0620, group tty). */
    public synchronized Inode add(int index, int uid) {
        Node n = new Node(index + 3, FileFlags.S_IFCHR | 0620, DeviceNumbers.makedev(DeviceRegistry.PTS_MAJOR, index), uid, TTY_GID);
        slaves.put(index, n);
        return n;
    }

    /** The pseudo-terminal {@code index} is gone: its node no longer exists. */
    public synchronized void remove(int index) { slaves.remove(index); }

    public synchronized boolean exists(int index) { return slaves.containsKey(index); }

    @Override
    public void statfs(StatFs out) {
        out.type = MAGIC;
        out.blockSize = 4096;
    }

    @Override
    public String options() { return "gid=5,mode=620,ptmxmode=666"; }

    /** /dev/pts itself. */
    private final class Root extends Inode {
        private final long created = FileTimes.now();

        Root() { super(DevPts.this); }

        @Override
        public long ino() { return 1; }

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
            out.ino = 1;
            out.mode = mode();
            out.nlink = 2;
            out.atimeSec = out.mtimeSec = out.ctimeSec = FileTimes.seconds(created);
        }

        @Override
        public boolean cacheable() { return false; }

        @Override
        public Inode lookup(String name) {
            if (name.equals("ptmx")) return ptmx;
            try {
                int i = Integer.parseInt(name);
                if (!Integer.toString(i).equals(name)) return null;
                synchronized (DevPts.this) {
                    return slaves.get(i);
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }

        @Override
        public void list(List<Entry> out) {
            out.add(new Entry("ptmx", 2, DirentSink.DT_CHR));
            synchronized (DevPts.this) {
                for (var e : slaves.entrySet()) out.add(new Entry(Integer.toString(e.getKey()), e.getKey() + 3, DirentSink.DT_CHR));
            }
        }
    }

    /** A device node of devpts, whose owner and mode may change. */
    private final class Node extends Inode {
        private final long ino;
        private final int rdev;
        private int mode, uid, gid;
        private long atime, mtime, ctime;

        Node(long ino, int mode, int rdev, int uid, int gid) {
            super(DevPts.this);
            this.ino = ino;
            this.mode = mode;
            this.rdev = rdev;
            this.uid = uid;
            this.gid = gid;
            atime = mtime = ctime = FileTimes.now();
        }

        @Override
        public long ino() { return ino; }

        @Override
        public synchronized int mode() { return mode; }

        @Override
        public synchronized int uid() { return uid; }

        @Override
        public synchronized int gid() { return gid; }

        @Override
        public int rdev() { return rdev; }

        @Override
        public synchronized void stat(StatBuf out) {
            out.clear();
            out.dev = dev();
            out.ino = ino;
            out.mode = mode;
            out.nlink = 1;
            out.uid = uid;
            out.gid = gid;
            out.rdev = rdev;
            out.blksize = 1024;
            out.times(atime, mtime, ctime);
        }

        @Override
        public synchronized void chmod(int m) {
            mode = (mode & FileFlags.S_IFMT) | (m & 07777);
            ctime = FileTimes.now();
        }

        @Override
        public synchronized void chown(int u, int g) {
            if (u != -1) uid = u;
            if (g != -1) gid = g;
            ctime = FileTimes.now();
        }

        @Override
        public synchronized void setTimes(long a, long m) {
            if (a != FileTimes.UTIME_OMIT) atime = a;
            if (m != FileTimes.UTIME_OMIT) mtime = m;
            ctime = FileTimes.now();
        }
    }
}
