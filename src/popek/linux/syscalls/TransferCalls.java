package popek.linux.syscalls;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.RegularFile;
import popek.linux.vfs.VfsFile;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * Copies between two files inside the kernel: sendfile and sendfile64 (from any readable file to any writable one),
 * copy_file_range (between regular files). The bytes go through a kernel buffer by the files' own read and write;
 * the source's offset moves only by what the destination took. splice, tee and vmsplice are not served (ENOSYS):
 * busybox and coreutils fall back to read and write.
 */
final class TransferCalls implements SyscallFamily {
    private static final int CHUNK = 65536;
    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /** A kernel buffer and the two I/O views over it, one set per thread. */
    private static final class Buffers {
        final MemorySegment bytes = Arena.ofAuto().allocate(CHUNK);
        final UserBuffer in = new UserBuffer(), out = new UserBuffer();
    }

    @Override
    public void register(SyscallTable t) {
        t.register(SENDFILE, (task, a) -> sendfile(task, a.a0, a.a1, u(a.a2), a.a3, false));
        t.register(SENDFILE64, (task, a) -> sendfile(task, a.a0, a.a1, u(a.a2), a.a3, true));
        t.register(COPY_FILE_RANGE, this::copyFileRange);
    }

    /** sendfile(out, in, offset*, count): offset NULL reads at (and moves) in's offset, else at *offset (updated). */
    private static int sendfile(Task t, int outFd, int inFd, long offsetAddr, int count, boolean wide) {
        FileDescription in = FileArgs.file(t, inFd), out = FileArgs.file(t, outFd);
        if (!in.readable() || !out.writable()) return -Errno.EBADF;
        if ((out.flags() & FileFlags.O_APPEND) != 0) return -Errno.EINVAL;
        if (count < 0) return -Errno.EINVAL;
        long pos;
        if (offsetAddr != 0) {
            pos = wide ? t.memory().readLong(offsetAddr) : t.memory().readInt(offsetAddr);
            if (pos < 0) return -Errno.EINVAL;
        } else {
            pos = in instanceof RegularFile r ? r.offset() : -1;
        }
        long total = copy(t, in, pos, out, -1, Math.min(count, 0x7FFFF000));
        if (total < 0) return (int) total;
        if (offsetAddr != 0) {
            if (wide) t.memory().writeLong(offsetAddr, pos + total);
            else t.memory().writeInt(offsetAddr, (int) (pos + total));
        } else if (pos >= 0) {
            in.seek(t, pos + total, FileFlags.SEEK_SET);
        }
        return (int) total;
    }

    /** copy_file_range(in, off_in*, out, off_out*, len, flags): between regular files, offsets loff_t. */
    private int copyFileRange(Task t, SyscallArgs a) {
        if (a.a5 != 0) return -Errno.EINVAL;
        FileDescription in = FileArgs.file(t, a.a0), out = FileArgs.file(t, a.a2);
        if (!in.readable() || !out.writable() || (out.flags() & FileFlags.O_APPEND) != 0) return -Errno.EBADF;
        if (!(in instanceof RegularFile ri) || !(out instanceof RegularFile ro)) {
            return in instanceof VfsFile vi && vi.inode().isDirectory() || out instanceof VfsFile vo && vo.inode().isDirectory()
                    ? -Errno.EISDIR : -Errno.EINVAL;
        }
        long inAddr = u(a.a1), outAddr = u(a.a3);
        long inPos = inAddr != 0 ? t.memory().readLong(inAddr) : ri.offset();
        long outPos = outAddr != 0 ? t.memory().readLong(outAddr) : ro.offset();
        if (inPos < 0 || outPos < 0) return -Errno.EINVAL;
        int len = (int) Math.min(u(a.a4), 0x7FFFF000L);
        if (ri.inode() == ro.inode() && inPos < outPos + len && outPos < inPos + len) return -Errno.EINVAL;
        long total = copy(t, in, inPos, out, outPos, len);
        if (total < 0) return (int) total;
        if (inAddr != 0) t.memory().writeLong(inAddr, inPos + total);
        else in.seek(t, inPos + total, FileFlags.SEEK_SET);
        if (outAddr != 0) t.memory().writeLong(outAddr, outPos + total);
        else out.seek(t, outPos + total, FileFlags.SEEK_SET);
        return (int) total;
    }

    /**
     * Moves up to {@code count} bytes: read at {@code inPos} (or from the stream when -1), written at {@code outPos} (or
     * at out's offset when -1). Stops early when the destination would block or the source ends; -errno if nothing moved.
     */
    private static long copy(Task t, FileDescription in, long inPos, FileDescription out, long outPos, int count) {
        Buffers b = BUFFERS.get();
        long total = 0;
        while (total < count) {
            int want = (int) Math.min(CHUNK, count - total);
            UserBuffer src = b.in.setKernel(b.bytes, want);
            int n = inPos >= 0 ? in.pread(t, src, inPos + total) : in.read(t, src);
            if (n < 0) return total > 0 ? total : n;
            if (n == 0) break;
            UserBuffer dst = b.out.setKernel(b.bytes, n);
            int w = 0;
            while (w < n) {
                int r = outPos >= 0 ? out.pwrite(t, dst, outPos + total + w) : out.write(t, dst);
                if (r == -Errno.EPIPE) FileIo.sigpipe(t);
                if (r <= 0) {
                    total += w;
                    return total > 0 ? total : r;
                }
                w += r;
            }
            total += n;
            if (n < want) break;
        }
        return total;
    }
}
