package popek.linux.vfs;

/**
 * What {@code stat} reports of a file, filled by {@link FileDescription#stat} or a file system's lookup and written
 * to the program by the system-call layer in the layout it asked for (stat64, statx, the old stat). Mutable and reused.
 */
public final class StatBuf {
    public long dev, ino, rdev, size, blocks;
    public int mode, nlink, uid, gid, blksize = 4096;
    /** Times as seconds and nanoseconds since the epoch. */
    public long atimeSec, mtimeSec, ctimeSec;
    public int atimeNsec, mtimeNsec, ctimeNsec;

    public StatBuf clear() {
        dev = ino = rdev = size = blocks = 0;
        mode = nlink = uid = gid = 0;
        blksize = 4096;
        atimeSec = mtimeSec = ctimeSec = 0;
        atimeNsec = mtimeNsec = ctimeNsec = 0;
        return this;
    }

    /** Sets the three times from nanoseconds since the epoch (before it, too: seconds round down, as Linux's do). */
    public void times(long atime, long mtime, long ctime) {
        atimeSec = FileTimes.seconds(atime);
        atimeNsec = FileTimes.nanosOf(atime);
        mtimeSec = FileTimes.seconds(mtime);
        mtimeNsec = FileTimes.nanosOf(mtime);
        ctimeSec = FileTimes.seconds(ctime);
        ctimeNsec = FileTimes.nanosOf(ctime);
    }
}
