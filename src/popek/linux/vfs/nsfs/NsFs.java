package popek.linux.vfs.nsfs;

import java.util.List;

import popek.linux.abi.FileFlags;
import popek.linux.ns.Namespace;
import popek.linux.vfs.DirEntry;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.Inode;
import popek.linux.vfs.Location;
import popek.linux.vfs.MountNamespace;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.StatFs;

/**
 * nsfs, the file system of namespace files (Linux's fs/nsfs.c): never mounted anywhere a path reaches, it holds a
 * file per namespace, which following /proc/[pid]/ns/KIND leads to. Opening one gives the descriptor setns(2) takes;
 * stat reports the namespace's inode number on nsfs's device, so two processes in one namespace see the same file.
 */
public final class NsFs extends FileSystem {
    /** NSFS_MAGIC. */
    public static final long MAGIC = 0x6e736673L;

    private final Inode root = new Root();
    private final Location rootPlace;

    public NsFs(int dev) {
        super("nsfs", dev);
        rootPlace = new MountNamespace(this, 0).root();
    }

    @Override
    public Inode root() { return root; }

    /** The file of {@code ns}: a place named like the link ("uts:[4026531838]") in nsfs's own mount. */
    public Location place(Namespace ns) {
        return new Location(rootPlace.mount(), new DirEntry(rootPlace.entry(), ns.linkText(), new NsInode(this, ns)));
    }

    /** The namespace a file of nsfs stands for, or null for any other file. */
    public static Namespace namespaceOf(Inode i) { return i instanceof NsInode n ? n.namespace() : null; }

    @Override
    public void statfs(StatFs out) {
        out.type = MAGIC;
        out.blockSize = 4096;
    }

    /** The root: an empty directory no path reaches. */
    private final class Root extends Inode {
        Root() { super(NsFs.this); }

        @Override
        public long ino() { return 1; }

        @Override
        public int mode() { return FileFlags.S_IFDIR | 0555; }

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
            out.blksize = 4096;
        }

        @Override
        public Inode lookup(String name) { return null; }

        @Override
        public void list(List<Entry> out) { }
    }
}
