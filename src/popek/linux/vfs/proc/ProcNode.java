package popek.linux.vfs.proc;

import popek.linux.vfs.Inode;
import popek.linux.vfs.StatBuf;

/** An entry of /proc: made on each lookup, named by its path (which fixes its inode number), owned as Linux owns it. */
abstract class ProcNode extends Inode {
    protected final ProcFs proc;
    private final String key;
    private final int mode, uid, gid;

    ProcNode(ProcFs proc, String key, int mode, int uid, int gid) {
        super(proc);
        this.proc = proc;
        this.key = key;
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
    }

    final String key() { return key; }

    @Override
    public long ino() { return proc.ino(key); }

    @Override
    public int mode() { return mode; }

    @Override
    public int uid() { return uid; }

    @Override
    public int gid() { return gid; }

    @Override
    public void stat(StatBuf out) {
        out.clear();
        out.dev = proc.dev();
        out.ino = ino();
        out.mode = mode;
        out.nlink = isDirectory() ? 2 : 1;
        out.uid = uid;
        out.gid = gid;
        out.blksize = 1024;
        long t = proc.mounted();
        out.times(t, t, t);
    }
}
