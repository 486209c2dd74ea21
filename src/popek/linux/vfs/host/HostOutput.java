package popek.linux.vfs.host;

import java.io.IOException;
import java.io.OutputStream;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;

/** A container's standard output or error written to a host stream (without {@code -t}: a pipe to the host's). */
public final class HostOutput extends FileDescription {
    private final OutputStream out;
    private final int ino;
    private final byte[] buffer = new byte[4096];
    private final java.lang.foreign.MemorySegment bufferSegment = java.lang.foreign.MemorySegment.ofArray(buffer);

    public HostOutput(OutputStream out, int ino) {
        super(FileFlags.O_WRONLY);
        this.out = out;
        this.ino = ino;
    }

    @Override
    public int write(Caller c, UserBuffer src) {
        byte[] buf = buffer;
        int total = 0;
        try {
            while (src.remaining() > 0) {
                int n = src.copyIn(bufferSegment, 0, Math.min(buf.length, src.remaining()));
                if (n == 0) break;
                out.write(buf, 0, n);
                total += n;
            }
            out.flush();
        } catch (IOException e) {
            return total > 0 ? total : -Errno.EPIPE;
        }
        return total;
    }

    @Override
    public int stat(Caller c, StatBuf out) {
        out.clear();
        out.mode = FileFlags.S_IFIFO | 0600;
        out.nlink = 1;
        out.ino = ino;
        return 0;
    }

    @Override
    public String path() { return "pipe:[" + ino + "]"; }
}
