package popek.linux.vfs.cgroupfs;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import popek.cgroup.Cgroup;
import popek.cgroup.CgroupKernel;
import popek.cgroup.ControlFile;
import popek.cgroup.OpenFile;
import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.abi.SyscallException;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.Location;
import popek.linux.vfs.VfsFile;

/**
 * An open cgroup interface file. Its text is made afresh by a read at offset 0 (as a seq_file is) and read like a small
 * file; each write(2) is one write to the file (at most a page: E2BIG past that), applied whole or refused with the
 * errno Linux gives, and counts every byte when applied.
 */
final class ControlHandle extends VfsFile {
    private static final byte[] EMPTY = new byte[0];

    private final Cgroup cgroup;
    private final ControlFile file;
    private final OpenFile open;
    private final boolean writesRefused;
    private byte[] text = EMPTY;
    private long offset;

    ControlHandle(Location at, int flags, Cgroup cgroup, ControlFile file, CgroupKernel kernel, boolean writesRefused) {
        super(at, flags);
        this.cgroup = cgroup;
        this.file = file;
        this.open = new OpenFile(kernel);
        this.writesRefused = writesRefused;
    }

    @Override
    public synchronized int read(Caller c, UserBuffer dst) {
        int n = pread(c, dst, offset);
        if (n > 0) offset += n;
        return n;
    }

    @Override
    public synchronized int pread(Caller c, UserBuffer dst, long at) {
        if (at < 0) return -Errno.EINVAL;
        if (at == 0) text = file.reader().read(cgroup, open).getBytes(StandardCharsets.ISO_8859_1);
        if (at >= text.length) return 0;
        return dst.copyOut(MemorySegment.ofArray(text), at, (int) Math.min(dst.remaining(), text.length - at));
    }

    @Override
    public int write(Caller c, UserBuffer src) { return pwrite(c, src, 0); }

    @Override
    public int pwrite(Caller c, UserBuffer src, long at) {
        if (writesRefused) return -Errno.EPERM;
        int n = src.remaining();
        if (n > 4096) return -Errno.E2BIG;
        byte[] b = new byte[n];
        int got = src.copyIn(b, 0, n);
        if (got < n) return -Errno.EFAULT;
        try {
            file.writer().write(cgroup, new String(b, StandardCharsets.ISO_8859_1), open);
        } catch (SyscallException e) {
            return -e.errno();
        }
        return n;
    }

    @Override
    public synchronized long seek(Caller c, long off, int whence) {
        long to = switch (whence) {
            case FileFlags.SEEK_SET -> off;
            case FileFlags.SEEK_CUR -> offset + off;
            case FileFlags.SEEK_END -> text.length + off;
            default -> -1;
        };
        if (to < 0) return -Errno.EINVAL;
        offset = to;
        return to;
    }

    @Override
    protected void release() {
        super.release();
        open.close();
    }
}
