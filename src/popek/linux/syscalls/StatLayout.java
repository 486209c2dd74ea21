package popek.linux.syscalls;

import popek.linux.mm.UserMemory;
import popek.linux.vfs.StatBuf;

/** How {@link StatBuf} is written for the program: i386's struct stat64 and struct statx. (For every file call.) */
public final class StatLayout {
    private StatLayout() { }

    public static final int STAT64_SIZE = 96;

    /** new_encode_dev for a 64-bit dev_t: minor's low byte, major, then minor's high bits. */
    static long encodeDev(long dev) {
        long major = (dev >>> 8) & 0xFFF, minor = (dev & 0xFF) | ((dev >>> 12) & 0xFFF00);
        return (minor & 0xFF) | (major << 8) | ((minor & ~0xFFL) << 12);
    }

    public static void writeStat64(UserMemory m, long at, StatBuf s) {
        m.zero(at, STAT64_SIZE);
        m.writeLong(at, encodeDev(s.dev));
        m.writeInt(at + 12, (int) s.ino);
        m.writeInt(at + 16, s.mode);
        m.writeInt(at + 20, s.nlink);
        m.writeInt(at + 24, s.uid);
        m.writeInt(at + 28, s.gid);
        m.writeLong(at + 32, encodeDev(s.rdev));
        m.writeLong(at + 44, s.size);
        m.writeInt(at + 52, s.blksize);
        m.writeLong(at + 56, s.blocks);
        m.writeInt(at + 64, (int) s.atimeSec);
        m.writeInt(at + 68, s.atimeNsec);
        m.writeInt(at + 72, (int) s.mtimeSec);
        m.writeInt(at + 76, s.mtimeNsec);
        m.writeInt(at + 80, (int) s.ctimeSec);
        m.writeInt(at + 84, s.ctimeNsec);
        m.writeLong(at + 88, s.ino);
    }

    /** struct statx (256 bytes), every basic field reported. */
    public static void writeStatx(UserMemory m, long at, StatBuf s) {
        m.zero(at, 256);
        m.writeInt(at, 0x7FF);                 // STATX_BASIC_STATS
        m.writeInt(at + 4, s.blksize);
        m.writeInt(at + 16, s.nlink);
        m.writeInt(at + 20, s.uid);
        m.writeInt(at + 24, s.gid);
        m.writeShort(at + 28, (short) s.mode);
        m.writeLong(at + 32, s.ino);
        m.writeLong(at + 40, s.size);
        m.writeLong(at + 48, s.blocks);
        m.writeLong(at + 64, s.atimeSec);
        m.writeInt(at + 72, s.atimeNsec);
        m.writeLong(at + 96, s.ctimeSec);
        m.writeInt(at + 104, s.ctimeNsec);
        m.writeLong(at + 112, s.mtimeSec);
        m.writeInt(at + 120, s.mtimeNsec);
        m.writeInt(at + 128, (int) ((s.rdev >>> 8) & 0xFFF));
        m.writeInt(at + 132, (int) (s.rdev & 0xFF));
        m.writeInt(at + 136, (int) ((s.dev >>> 8) & 0xFFF));
        m.writeInt(at + 140, (int) (s.dev & 0xFF));
    }
}
