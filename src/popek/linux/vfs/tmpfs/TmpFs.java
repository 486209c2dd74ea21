package popek.linux.vfs.tmpfs;

import java.util.concurrent.atomic.AtomicLong;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.Inode;
import popek.linux.vfs.InodeNumbers;
import popek.linux.vfs.StatFs;

/**
 * A file system in memory (Linux's tmpfs): directories, files (their bytes in the Java heap, in 4 KiB pages made as
 * written, holes read as zeros), symbolic links, FIFOs and device nodes. Its size is bounded: past
 * {@link #sizeBytes} of file pages (or half the JVM's heap for all of them), writes fail with ENOSPC, as a full tmpfs
 * does. Also the writable upper layer of a
 * container's root (see the overlay).
 */
public final class TmpFs extends FileSystem {
    public static final long MAGIC = 0x01021994;
    public static final int PAGE = 4096;

    private final InodeNumbers numbers;
    private final long sizeBytes;
    private final String options;
    private long usedPages;
    private boolean closed;
    private long inodes;
    private final MemDirectory root;
    private final boolean diskLike;

    /** A tmpfs of at most {@code sizeBytes} whose root has {@code rootMode} (e.g. 01777 for /tmp) and is root's. */
    public TmpFs(int dev, InodeNumbers numbers, long sizeBytes, int rootMode, String options) {
        this(dev, numbers, sizeBytes, rootMode, options, false);
    }

    /**
     * With {@code diskLike}, directories report what a disk file system's do (4096 bytes in one 4 KiB block) rather
     * than tmpfs's own sizes: for an overlay's upper layer, which stands for a disk layer (Docker's is on ext4).
     */
    public TmpFs(int dev, InodeNumbers numbers, long sizeBytes, int rootMode, String options, boolean diskLike) {
        super("tmpfs", dev);
        this.diskLike = diskLike;
        this.numbers = numbers;
        this.sizeBytes = sizeBytes;
        this.options = options;
        this.root = new MemDirectory(this, FileFlags.S_IFDIR | (rootMode & 07777), 0, 0);
        root.parent = root;
    }

    @Override
    public MemDirectory root() { return root; }

    boolean diskLike() { return diskLike; }

    long newIno() {
        synchronized (this) {
            inodes++;
        }
        return numbers.allocate();
    }

    synchronized void inodeFreed() { inodes--; }

    /**
     * Memory files of every container in this JVM together stay under half its heap, whatever their own sizes say:
     * a container filling its tmpfs meets ENOSPC, never Popek an OutOfMemoryError.
     */
    private static final long HEAP_PAGES = Runtime.getRuntime().maxMemory() / 2 / PAGE;
    private static final AtomicLong HEAP_USED = new AtomicLong();

    /** Takes {@code pages} more pages of file data, or false when the file system (or the JVM's share) is full. */
    synchronized boolean reserve(long pages) {
        if (closed) return false;
        if ((usedPages + pages) * PAGE > sizeBytes) return false;
        if (HEAP_USED.addAndGet(pages) > HEAP_PAGES) {
            HEAP_USED.addAndGet(-pages);
            return false;
        }
        usedPages += pages;
        return true;
    }

    /** Pages of its files charged to each cgroup (memory.stat's shmem), all given back when it closes. */
    private final java.util.Map<popek.cgroup.Cgroup, Long> charges = new java.util.HashMap<>();

    /** {@code pages} of a file's were charged to {@code cg}. */
    synchronized void charged(popek.cgroup.Cgroup cg, long pages) { charges.merge(cg, pages, Long::sum); }

    /** {@code pages} charged to {@code cg} were freed: the charge is given back (unless the file system closed, which gave back all). */
    synchronized void uncharged(popek.cgroup.Cgroup cg, long pages) {
        if (closed) return;
        charges.merge(cg, -pages, Long::sum);
        cg.unchargeMemory(popek.cgroup.MemoryControl.SHMEM, pages * PAGE);
    }

    /** The container is gone: its pages no longer count against the JVM's share (the heap takes them back), nor its cgroups. */
    @Override
    public synchronized void close() {
        HEAP_USED.addAndGet(-usedPages);
        usedPages = 0;
        charges.forEach((cg, pages) -> cg.unchargeMemory(popek.cgroup.MemoryControl.SHMEM, pages * PAGE));
        charges.clear();
        closed = true;
    }

    synchronized void unreserve(long pages) {
        if (closed) return;
        usedPages -= pages;
        HEAP_USED.addAndGet(-pages);
    }

    void reserveOrFail(long pages) {
        if (!reserve(pages)) throw Errno.error(Errno.ENOSPC);
    }

    @Override
    public synchronized void statfs(StatFs out) {
        out.type = MAGIC;
        out.blockSize = PAGE;
        out.fragmentSize = PAGE;
        out.blocks = sizeBytes / PAGE;
        out.blocksFree = out.blocksAvailable = Math.max(0, out.blocks - usedPages);
        out.files = Math.max(inodes, sizeBytes / PAGE / 2);
        out.filesFree = out.files - inodes;
        out.nameLength = 255;
    }

    @Override
    public String options() { return options; }

    /** True when {@code i} belongs to this file system (a rename or link across file systems is EXDEV). */
    boolean owns(Inode i) { return i.fs() == this; }
}
