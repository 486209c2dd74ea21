package popek.linux.vfs.tmpfs;

/** A FIFO, device node or socket in memory: only attributes (and, for a device, its number). */
public final class MemNode extends MemInode {
    private final int rdev;

    MemNode(TmpFs fs, int mode, int rdev, int uid, int gid) {
        super(fs, mode, uid, gid);
        this.rdev = rdev;
    }

    @Override
    public int rdev() { return rdev; }

    @Override
    protected long size() { return 0; }
}
