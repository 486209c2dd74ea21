package popek.linux.vfs.proc;

import java.util.function.BiConsumer;
import java.util.function.Function;

import popek.linux.abi.FileFlags;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;

/** A file of /proc whose contents are made when it is opened (size 0 in stat, as Linux's). */
final class ProcFile extends ProcNode {
    private final Function<Caller, byte[]> contents;
    private final BiConsumer<Caller, String> writer;

    ProcFile(ProcFs proc, String key, int mode, int uid, int gid, Function<Caller, byte[]> contents, BiConsumer<Caller, String> writer) {
        super(proc, key, FileFlags.S_IFREG | mode, uid, gid);
        this.contents = contents;
        this.writer = writer;
    }

    @Override
    public FileDescription open(Location at, int flags, Caller c) {
        boolean write = (flags & FileFlags.O_ACCMODE) != FileFlags.O_RDONLY;
        if (write && writer == null) throw popek.linux.abi.Errno.error(popek.linux.abi.Errno.EACCES);
        return new GeneratedFile(at, flags, contents.apply(c), writer);
    }

    @Override
    public void truncate(long size) { }   // O_TRUNC on a writable /proc file (echo x > /proc/sys/...)
}
