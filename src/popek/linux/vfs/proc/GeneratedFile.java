package popek.linux.vfs.proc;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.Location;
import popek.linux.vfs.VfsFile;

/** An open /proc file: the contents made at open, read and seeked like a small file; writes go to its writer. */
final class GeneratedFile extends VfsFile {
    private final byte[] contents;
    private final java.lang.foreign.MemorySegment segment;
    private final BiConsumer<Caller, String> writer;
    private long offset;

    GeneratedFile(Location at, int flags, byte[] contents, BiConsumer<Caller, String> writer) {
        super(at, flags);
        this.contents = contents;
        this.segment = java.lang.foreign.MemorySegment.ofArray(contents);
        this.writer = writer;
    }

    @Override
    public synchronized int read(Caller c, UserBuffer dst) {
        int n = pread(c, dst, offset);
        if (n > 0) offset += n;
        return n;
    }

    @Override
    public int pread(Caller c, UserBuffer dst, long at) {
        if (at < 0) return -Errno.EINVAL;
        if (at >= contents.length) return 0;
        return dst.copyOut(segment, at, (int) Math.min(dst.remaining(), contents.length - at));
    }

    @Override
    public int write(Caller c, UserBuffer src) {
        if (writer == null) return -Errno.EINVAL;
        byte[] b = new byte[Math.min(src.remaining(), 4096)];
        int n = src.copyIn(b, 0, b.length);
        String s = new String(b, 0, n, StandardCharsets.ISO_8859_1);
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        writer.accept(c, s);
        return n;
    }

    @Override
    public synchronized long seek(Caller c, long off, int whence) {
        long to = switch (whence) {
            case FileFlags.SEEK_SET -> off;
            case FileFlags.SEEK_CUR -> offset + off;
            case FileFlags.SEEK_END -> contents.length + off;
            default -> -1;
        };
        if (to < 0) return -Errno.EINVAL;
        offset = to;
        return to;
    }
}
