package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.mm.UserBuffer;

/** An O_PATH descriptor: a place, usable for fstat, fchdir and *at calls, but not for reading or writing (EBADF). */
public final class PathFile extends VfsFile {
    public PathFile(Location location, int flags) { super(location, flags); }

    @Override
    public int read(Caller c, UserBuffer dst) { return -Errno.EBADF; }

    @Override
    public int pread(Caller c, UserBuffer dst, long offset) { return -Errno.EBADF; }

    @Override
    public int write(Caller c, UserBuffer src) { return -Errno.EBADF; }

    @Override
    public int pwrite(Caller c, UserBuffer src, long offset) { return -Errno.EBADF; }

    @Override
    public long seek(Caller c, long offset, int whence) { return -Errno.EBADF; }

    @Override
    public int ioctl(Caller c, int cmd, int arg) { return -Errno.EBADF; }

    @Override
    public int getdents(Caller c, DirentSink out) { return -Errno.EBADF; }

    @Override
    public int truncate(Caller c, long length) { return -Errno.EBADF; }

    @Override
    public int sync(Caller c) { return -Errno.EBADF; }
}
