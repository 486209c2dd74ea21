package popek.linux.vfs.tmpfs;

import popek.linux.abi.FileFlags;

/** A symbolic link in memory: its target text (mode 0777, as Linux's links are). */
public final class MemSymlink extends MemInode {
    private final String target;

    MemSymlink(TmpFs fs, String target, int uid, int gid) {
        super(fs, FileFlags.S_IFLNK | 0777, uid, gid);
        this.target = target;
    }

    @Override
    public String readlink() {
        accessed();
        return target;
    }

    @Override
    protected long size() { return target.length(); }
}
