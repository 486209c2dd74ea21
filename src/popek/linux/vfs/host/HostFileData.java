package popek.linux.vfs.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import popek.linux.abi.Errno;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.FileData;

/** A host layer file open for reading: positional reads through its channel and a bounce buffer made once per open. */
final class HostFileData implements FileData {
    private static final int CHUNK = 16384;

    private final HostInode inode;
    private final FileChannel channel;
    private byte[] buffer;
    private ByteBuffer view;
    private MemorySegment segment;

    HostFileData(HostInode inode, FileChannel channel) {
        this.inode = inode;
        this.channel = channel;
    }

    @Override
    public synchronized int read(long offset, UserBuffer dst) {
        if (buffer == null) {
            buffer = new byte[CHUNK];
            view = ByteBuffer.wrap(buffer);
            segment = MemorySegment.ofArray(buffer);
        }
        int total = 0;
        try {
            while (dst.remaining() > 0) {
                view.clear().limit(Math.min(CHUNK, dst.remaining()));
                int n = channel.read(view, offset + total);
                if (n <= 0) break;
                int moved = dst.copyOut(segment, 0, n);
                total += moved;
                if (moved < n || n < view.limit()) break;
            }
        } catch (IOException e) {
            return total > 0 ? total : -Errno.EIO;
        }
        return total;
    }

    @Override
    public synchronized int readBytes(long offset, byte[] dst, int off, int len) {
        try {
            int n = channel.read(ByteBuffer.wrap(dst, off, len), offset);
            return Math.max(n, 0);
        } catch (IOException e) {
            throw Errno.error(Errno.EIO);
        }
    }

    @Override
    public long size() { return inode.size(); }

    @Override
    public Mappable mappable() { return new HostMappable(inode); }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // close(2) already succeeded for the program
        }
    }
}
