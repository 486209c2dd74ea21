package popek.linux.vfs.host;

import java.util.concurrent.ThreadLocalRandom;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.StatBuf;

/** The placeholder VFS's character devices: /dev/null, zero, full, random and urandom (Linux's mem devices, major 1). */
final class DeviceFile extends FileDescription {
    /** The devices by name, with their minor numbers. */
    enum Kind {
        NULL(3), ZERO(5), FULL(7), RANDOM(8), URANDOM(9);

        final int minor;

        Kind(int minor) { this.minor = minor; }

        static Kind of(String name) {
            return switch (name) {
                case "null" -> NULL;
                case "zero" -> ZERO;
                case "full" -> FULL;
                case "random" -> RANDOM;
                case "urandom" -> URANDOM;
                default -> null;
            };
        }
    }

    private final Kind kind;

    DeviceFile(Kind kind, int flags) {
        super(flags);
        this.kind = kind;
    }

    @Override
    public int read(Caller c, UserBuffer dst) {
        if (kind == Kind.NULL) return 0;
        byte[] b = dst.scratch();
        int total = 0;
        while (dst.remaining() > 0) {
            int n = Math.min(b.length, dst.remaining());
            if (kind == Kind.RANDOM || kind == Kind.URANDOM) ThreadLocalRandom.current().nextBytes(b);
            else java.util.Arrays.fill(b, 0, n, (byte) 0);
            int moved = dst.copyOut(b, 0, n);
            total += moved;
            if (moved < n) break;
        }
        return total;
    }

    @Override
    public int pread(Caller c, UserBuffer dst, long offset) { return read(c, dst); }

    @Override
    public int write(Caller c, UserBuffer src) {
        if (kind == Kind.FULL) return -Errno.ENOSPC;
        int n = src.remaining();
        src.skip(n);
        return n;
    }

    @Override
    public int pwrite(Caller c, UserBuffer src, long offset) { return write(c, src); }

    @Override
    public long seek(Caller c, long offset, int whence) { return 0; }

    @Override
    public int stat(Caller c, StatBuf out) {
        out.clear();
        out.mode = FileFlags.S_IFCHR | 0666;
        out.nlink = 1;
        out.rdev = (1 << 8) | kind.minor;
        out.ino = 100 + kind.minor;
        out.dev = 5;
        return 0;
    }

    @Override
    public String path() { return "/dev/" + kind.name().toLowerCase(java.util.Locale.ROOT); }
}
