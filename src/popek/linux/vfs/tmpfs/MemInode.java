package popek.linux.vfs.tmpfs;

import popek.linux.abi.FileFlags;
import popek.linux.vfs.FileTimes;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatBuf;

/** What every memory inode keeps: its number, mode, owner, link count and three times (ns since the epoch). */
public abstract class MemInode extends Inode {
    protected final TmpFs tmpfs;
    private long ino;
    protected int mode, uid, gid, nlink;
    protected long atime, mtime, ctime;

    protected MemInode(TmpFs fs, int mode, int uid, int gid) {
        super(fs);
        this.tmpfs = fs;
        this.ino = fs.newIno();
        this.mode = mode;
        this.uid = uid;
        this.gid = gid;
        this.nlink = 1;
        long now = FileTimes.now();
        atime = mtime = ctime = now;
    }

    @Override
    public synchronized long ino() { return ino; }

    /** An overlay's copy-up keeps the number the file had in its lower layer. */
    public synchronized void keepNumber(long n) { ino = n; }

    @Override
    public synchronized int mode() { return mode; }

    @Override
    public synchronized int uid() { return uid; }

    @Override
    public synchronized int gid() { return gid; }

    public synchronized int nlink() { return nlink; }

    /** The size stat reports. */
    protected abstract long size();

    /** The 512-byte blocks stat reports. */
    protected long blocks() { return 0; }

    @Override
    public synchronized void stat(StatBuf out) {
        out.clear();
        out.dev = fs.dev();
        out.ino = ino;
        out.mode = mode;
        out.nlink = nlink;
        out.uid = uid;
        out.gid = gid;
        out.rdev = rdev();
        out.size = size();
        out.blocks = blocks();
        out.blksize = TmpFs.PAGE;
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

    public synchronized long atime() { return atime; }

    public synchronized long mtime() { return mtime; }

    public synchronized long ctime() { return ctime; }

    /** Sets every time at once (an overlay copy-up keeps the lower file's). */
    public synchronized void copyTimes(long a, long m, long c) {
        atime = a;
        mtime = m;
        ctime = c;
    }

    @Override
    public synchronized void accessed() {
        long now = FileTimes.now();
        if (FileTimes.atimeDue(atime, mtime, ctime, now)) atime = now;
    }

    /** Contents changed: mtime and ctime are now. */
    protected synchronized void modified() {
        long now = FileTimes.now();
        mtime = now;
        ctime = now;
    }

    protected synchronized void changed() { ctime = FileTimes.now(); }

    synchronized void linkAdded() {
        nlink++;
        ctime = FileTimes.now();
    }

    /** One name fewer; the last frees what the inode holds once it is no longer open (the heap keeps it till then). */
    synchronized void linkRemoved() {
        nlink--;
        ctime = FileTimes.now();
        if (nlink == 0) dropped();
    }

    /** The inode has no name left. */
    protected void dropped() { tmpfs.inodeFreed(); }
}
