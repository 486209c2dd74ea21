package popek.linux.vfs.nsfs;

import popek.linux.abi.FileFlags;
import popek.linux.ns.Namespace;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;
import popek.linux.vfs.StatBuf;

/** The nsfs file of one namespace: a read-only regular file whose inode number is the namespace's. */
final class NsInode extends popek.linux.vfs.Inode {
    private final Namespace ns;

    NsInode(NsFs fs, Namespace ns) {
        super(fs);
        this.ns = ns;
    }

    Namespace namespace() { return ns; }

    @Override
    public long ino() { return ns.inode(); }

    @Override
    public int mode() { return FileFlags.S_IFREG | 0444; }

    @Override
    public int uid() { return 0; }

    @Override
    public int gid() { return 0; }

    @Override
    public void stat(StatBuf out) {
        out.clear();
        out.dev = fs().dev();
        out.ino = ns.inode();
        out.mode = mode();
        out.nlink = 1;
        out.blksize = 4096;
    }

    @Override
    public FileDescription open(Location at, int flags, Caller c) { return new NsFile(at, flags); }
}
