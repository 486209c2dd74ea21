package popek.linux.vfs.dev;

import java.lang.foreign.MemorySegment;
import java.security.SecureRandom;

import popek.linux.abi.Errno;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.Caller;
import popek.linux.vfs.Location;

/**
 * The memory devices of major 1 (drivers/char/mem.c, random.c): /dev/null (1,3) reads nothing and swallows writes,
 * /dev/zero (1,5) reads zeros (and maps as zero pages), /dev/full (1,7) reads zeros and fails writes with ENOSPC,
 * /dev/random (1,8) and /dev/urandom (1,9) read the host's secure random bytes and take writes.
 */
public final class MemoryDevices {
    private MemoryDevices() { }

    public static final int NULL = 3, ZERO = 5, FULL = 7, RANDOM = 8, URANDOM = 9;

    public static void register(DeviceRegistry r) {
        r.register(DeviceRegistry.MEM_MAJOR, NULL, (c, node, flags) -> new Device(node, flags, NULL));
        r.register(DeviceRegistry.MEM_MAJOR, ZERO, (c, node, flags) -> new Device(node, flags, ZERO));
        r.register(DeviceRegistry.MEM_MAJOR, FULL, (c, node, flags) -> new Device(node, flags, FULL));
        r.register(DeviceRegistry.MEM_MAJOR, RANDOM, (c, node, flags) -> new Device(node, flags, RANDOM));
        r.register(DeviceRegistry.MEM_MAJOR, URANDOM, (c, node, flags) -> new Device(node, flags, URANDOM));
    }

    private static final SecureRandom RANDOM_SOURCE = new SecureRandom();
    private static final MemorySegment ZEROS = MemorySegment.ofArray(new byte[4096]);

    /** Zero pages for mmap of /dev/zero. */
    private static final Mappable ZERO_PAGES = new Mappable() {
        @Override
        public boolean readPage(long offset, MemorySegment page) {
            page.fill((byte) 0);
            return true;
        }

        @Override
        public String name() { return "/dev/zero"; }
    };

    private static final class Device extends DeviceFile {
        private final int minor;
        private byte[] random;
        private MemorySegment randomSegment;

        Device(Location node, int flags, int minor) {
            super(node, flags);
            this.minor = minor;
        }

        @Override
        public int read(Caller c, UserBuffer dst) {
            return switch (minor) {
                case NULL -> 0;
                case ZERO, FULL -> fill(dst, false);
                default -> fill(dst, true);
            };
        }

        private synchronized int fill(UserBuffer dst, boolean randomBytes) {
            if (randomBytes && random == null) {
                random = new byte[4096];
                randomSegment = MemorySegment.ofArray(random);
            }
            MemorySegment from = randomBytes ? randomSegment : ZEROS;
            int total = 0;
            while (dst.remaining() > 0) {
                int n = (int) Math.min(from.byteSize(), dst.remaining());
                if (randomBytes) nextBytes(random, n);
                int moved = dst.copyOut(from, 0, n);
                total += moved;
                if (moved < n) break;
            }
            return total;
        }

        private static void nextBytes(byte[] buf, int n) {
            if (n == buf.length) {
                RANDOM_SOURCE.nextBytes(buf);
                return;
            }
            for (int i = 0; i < n; i += 4) {
                int r = RANDOM_SOURCE.nextInt();
                for (int j = 0; j < 4 && i + j < n; j++) buf[i + j] = (byte) (r >>> (8 * j));
            }
        }

        @Override
        public int pread(Caller c, UserBuffer dst, long offset) { return read(c, dst); }

        @Override
        public int write(Caller c, UserBuffer src) {
            if (minor == FULL) return -Errno.ENOSPC;
            int n = src.remaining();
            src.skip(n);
            return n;
        }

        @Override
        public int pwrite(Caller c, UserBuffer src, long offset) { return write(c, src); }

        @Override
        public long seek(Caller c, long offset, int whence) { return 0; }

        @Override
        public Mappable mappable() { return minor == ZERO ? ZERO_PAGES : null; }
    }
}
