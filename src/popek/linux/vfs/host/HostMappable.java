package popek.linux.vfs.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

import popek.linux.mm.Mappable;

/**
 * A host layer file's pages for mmap, readable after the descriptor that mapped it is closed (as on Linux) through a
 * channel its inode keeps. Its cache key is the layer, the file's number, size and modification time: the same file
 * mapped by many processes shares its frames (and their translated code).
 */
final class HostMappable implements Mappable {
    record Key(Path layer, long ino, long size, long mtime) { }

    private final HostInode inode;

    HostMappable(HostInode inode) { this.inode = inode; }

    @Override
    public boolean readPage(long offset, MemorySegment page) {
        try {
            FileChannel ch = inode.mapChannel();
            if (offset >= inode.size()) return false;
            ByteBuffer b = page.asByteBuffer();
            int total = 0;
            while (b.hasRemaining()) {
                int n = ch.read(b, offset + total);
                if (n <= 0) break;
                total += n;
            }
            page.asSlice(total).fill((byte) 0);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public Object cacheKey() { return inode.cacheKey(); }
}
