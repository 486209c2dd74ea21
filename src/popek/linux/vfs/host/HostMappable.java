package popek.linux.vfs.host;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

import popek.linux.mm.Mappable;

/**
 * A host file's pages for mmap, readable after the descriptor that mapped it is closed (as on Linux): it opens the
 * file again when it needs to. Its cache key is the file's identity, size and modification time.
 */
final class HostMappable implements Mappable {
    private final Path path;
    private final String name;
    private final Object key;

    HostMappable(Path path, String name) {
        this.path = path;
        this.name = name;
        Object k;
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            k = java.util.List.of(a.fileKey() == null ? path.toString() : a.fileKey(), a.size(), a.lastModifiedTime().toMillis());
        } catch (IOException e) {
            k = null;
        }
        this.key = k;
    }

    @Override
    public boolean readPage(long offset, MemorySegment page) {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            if (offset >= ch.size()) return false;
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
    public Object cacheKey() { return key; }

    @Override
    public String name() { return name; }
}
