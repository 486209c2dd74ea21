package popek.linux.vfs;

import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;

/**
 * An open directory: getdents from a listing taken when reading starts (and again after a rewind), so entries removed
 * or added while a program walks it (rm -r) neither shift nor repeat what it reads. Offsets are positions in that
 * listing: "." is 0, ".." 1, then the entries in the directory's order.
 */
public class DirectoryFile extends VfsFile {
    private List<Inode.Entry> listing;
    private long offset;

    public DirectoryFile(Location location, int flags) { super(location, flags); }

    @Override
    public int read(Caller c, UserBuffer dst) { return -Errno.EISDIR; }

    @Override
    public int pread(Caller c, UserBuffer dst, long offset) { return -Errno.EISDIR; }

    @Override
    public synchronized int getdents(Caller c, DirentSink out) {
        if (listing == null) {
            listing = new ArrayList<>();
            if (!location.entry().removed()) inode().list(listing);
        }
        Inode dir = inode();
        int added = 0;
        while (true) {
            long ino;
            int type;
            String name;
            if (offset == 0) {
                ino = dir.ino();
                type = DirentSink.DT_DIR;
                name = ".";
            } else if (offset == 1) {
                ino = location.entry().parent().inode().ino();
                type = DirentSink.DT_DIR;
                name = "..";
            } else if (offset - 2 < listing.size()) {
                Inode.Entry e = listing.get((int) (offset - 2));
                ino = e.ino();
                type = e.type();
                name = e.name();
            } else {
                break;
            }
            if (!out.add(ino, offset + 1, type, name)) {
                if (added == 0) return -Errno.EINVAL;   // the buffer cannot hold even one entry
                break;
            }
            offset++;
            added++;
        }
        dir.accessed();
        return added;
    }

    @Override
    public synchronized long seek(Caller c, long off, int whence) {
        long to = switch (whence) {
            case FileFlags.SEEK_SET -> off;
            case FileFlags.SEEK_CUR -> offset + off;
            default -> -1;
        };
        if (to < 0) return -Errno.EINVAL;
        if (to == 0) listing = null;   // rewinddir: a fresh listing
        offset = to;
        return to;
    }

    /** The DT_* type of a file mode. */
    public static int direntType(int mode) {
        return switch (mode & FileFlags.S_IFMT) {
            case FileFlags.S_IFDIR -> DirentSink.DT_DIR;
            case FileFlags.S_IFREG -> DirentSink.DT_REG;
            case FileFlags.S_IFLNK -> DirentSink.DT_LNK;
            case FileFlags.S_IFCHR -> DirentSink.DT_CHR;
            case FileFlags.S_IFBLK -> DirentSink.DT_BLK;
            case FileFlags.S_IFIFO -> DirentSink.DT_FIFO;
            case FileFlags.S_IFSOCK -> DirentSink.DT_SOCK;
            default -> DirentSink.DT_UNKNOWN;
        };
    }
}
