package popek.linux.vfs.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;

/** A regular host file opened read-only (the placeholder VFS's only kind of regular file). */
final class HostRegularFile extends FileDescription {
    private final String path;
    private final Path host;
    private final FileChannel channel;
    private long offset;

    HostRegularFile(String path, Path host, int flags) {
        super(flags);
        this.path = path;
        this.host = host;
        try {
            this.channel = FileChannel.open(host, StandardOpenOption.READ);
        } catch (IOException e) {
            throw Errno.error(Errno.EACCES);
        }
    }

    @Override
    public int read(Caller c, UserBuffer dst) {
        int n = pread(c, dst, offset);
        if (n > 0) offset += n;
        return n;
    }

    @Override
    public int pread(Caller c, UserBuffer dst, long at) {
        if (at < 0) return -Errno.EINVAL;
        byte[] buf = dst.scratch();
        int total = 0;
        try {
            while (dst.remaining() > 0) {
                ByteBuffer b = ByteBuffer.wrap(buf, 0, Math.min(buf.length, dst.remaining()));
                int n = channel.read(b, at + total);
                if (n <= 0) break;
                int moved = dst.copyOut(buf, 0, n);
                total += moved;
                if (moved < n) break;
            }
        } catch (IOException e) {
            return total > 0 ? total : -Errno.EIO;
        }
        return total;
    }

    @Override
    public long seek(Caller c, long off, int whence) {
        long base;
        try {
            base = switch (whence) {
                case FileFlags.SEEK_SET -> 0;
                case FileFlags.SEEK_CUR -> offset;
                case FileFlags.SEEK_END -> channel.size();
                default -> -1;
            };
        } catch (IOException e) {
            return -Errno.EIO;
        }
        if (base < 0) return -Errno.EINVAL;
        if (base + off < 0) return -Errno.EINVAL;
        offset = base + off;
        return offset;
    }

    @Override
    public int stat(Caller c, StatBuf out) {
        HostFs.stat(host, out);
        return 0;
    }

    @Override
    public Mappable mappable() { return new HostMappable(host, path); }

    @Override
    public String path() { return path; }

    @Override
    protected void release() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to tell the program: close(2) already succeeded
        }
    }
}
