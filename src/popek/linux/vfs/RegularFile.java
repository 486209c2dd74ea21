package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;

/**
 * An open regular file: an offset over the file's {@link FileData}, writes at the end with O_APPEND, atime and
 * mtime kept as Linux keeps them (the data updates mtime and ctime on a write).
 */
public class RegularFile extends VfsFile {
    /** Linux's MAX_LFS_FILESIZE on a 32-bit kernel with 4 KiB pages, and the limit on a file's size here. */
    public static final long MAX_SIZE = ((1L << 31) - 1) << 12;

    private final FileData data;
    private long offset;

    public RegularFile(Location location, FileData data, int flags) {
        super(location, flags);
        this.data = data;
    }

    public FileData data() { return data; }

    @Override
    public int read(Caller c, UserBuffer dst) {
        long at;
        synchronized (this) {
            at = offset;
        }
        int n = pread(c, dst, at);
        if (n > 0) {
            synchronized (this) {
                offset = at + n;
            }
        }
        return n;
    }

    @Override
    public int pread(Caller c, UserBuffer dst, long at) {
        if (at < 0) return -Errno.EINVAL;
        int n = data.read(at, dst);
        if (n >= 0 && (flags() & FileFlags.O_NOATIME) == 0) inode().accessed();
        return n;
    }

    @Override
    public int write(Caller c, UserBuffer src) {
        synchronized (this) {
            long at = (flags() & FileFlags.O_APPEND) != 0 ? data.size() : offset;
            int n = write(at, src);
            if (n > 0) offset = at + n;
            return n;
        }
    }

    @Override
    public int pwrite(Caller c, UserBuffer src, long at) {
        if (at < 0) return -Errno.EINVAL;
        // Linux's pwrite on an O_APPEND file appends all the same.
        return write((flags() & FileFlags.O_APPEND) != 0 ? data.size() : at, src);
    }

    private int write(long at, UserBuffer src) {
        if (at >= MAX_SIZE) return -Errno.EFBIG;
        return data.write(at, src);
    }

    @Override
    public synchronized long seek(Caller c, long off, int whence) {
        long base = switch (whence) {
            case FileFlags.SEEK_SET -> 0;
            case FileFlags.SEEK_CUR -> offset;
            case FileFlags.SEEK_END -> data.size();
            case FileFlags.SEEK_DATA -> {
                if (off >= data.size() || off < 0) yield -1;
                yield 0;
            }
            case FileFlags.SEEK_HOLE -> {
                if (off >= data.size() || off < 0) yield -1;
                yield Long.MIN_VALUE;
            }
            default -> -2;
        };
        if (base == -2) return -Errno.EINVAL;
        if (base == -1) return -Errno.ENXIO;
        long to = base == Long.MIN_VALUE ? data.size() : base + off;
        if (to < 0) return -Errno.EINVAL;
        offset = to;
        return to;
    }

    /** The offset now (FIONREAD, /proc/[pid]/fdinfo). */
    public synchronized long offset() { return offset; }

    @Override
    public int ioctl(Caller c, int cmd, int arg) {
        if (cmd == 0x541B) {   // FIONREAD: what is left to read
            long left;
            synchronized (this) {
                left = Math.max(0, data.size() - offset);
            }
            c.memory().writeInt(arg & 0xFFFFFFFFL, (int) Math.min(left, Integer.MAX_VALUE));
            return 0;
        }
        return -Errno.ENOTTY;
    }

    @Override
    public int truncate(Caller c, long length) {
        if (!writable()) return -Errno.EINVAL;
        if (length < 0) return -Errno.EINVAL;
        if (length > MAX_SIZE) return -Errno.EFBIG;
        inode().truncate(length);
        return 0;
    }

    @Override
    public Mappable mappable() {
        Mappable m = data.mappable();
        return m == null ? null : new NamedMappable(m, path());
    }

    @Override
    protected void release() {
        super.release();
        data.close();
    }
}
