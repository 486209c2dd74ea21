package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;

/**
 * A regular file's contents as one open file uses them: positional reads and writes (byte counts, 0 at the end, or
 * -errno), its size, what mmap maps. A memory file's data is the inode itself; a host file's holds an open channel.
 */
public interface FileData {
    int read(long offset, UserBuffer dst);

    default int write(long offset, UserBuffer src) { return -Errno.EROFS; }

    long size();

    /** Copies up to {@code len} bytes at {@code offset} into {@code dst} (the kernel's own copies: copy-up, sendfile). */
    int readBytes(long offset, byte[] dst, int off, int len);

    Mappable mappable();

    /** The open file was closed for the last time. */
    default void close() { }
}
