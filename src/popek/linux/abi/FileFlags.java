package popek.linux.abi;

/** open(2) flags, *at(2) flags and file-mode bits as i386 Linux defines them (asm-generic/fcntl.h, linux/stat.h). */
public final class FileFlags {
    private FileFlags() { }

    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_ACCMODE = 3;
    public static final int O_CREAT = 0100, O_EXCL = 0200, O_NOCTTY = 0400, O_TRUNC = 01000, O_APPEND = 02000,
            O_NONBLOCK = 04000, O_DSYNC = 010000, O_ASYNC = 020000, O_DIRECT = 040000, O_LARGEFILE = 0100000,
            O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_NOATIME = 01000000, O_CLOEXEC = 02000000,
            O_SYNC = 04010000, O_PATH = 010000000, O_TMPFILE = 020200000;
    /** The status flags F_SETFL may change. */
    public static final int SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

    public static final int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400,
            AT_EACCESS = 0x200, AT_EMPTY_PATH = 0x1000;

    public static final int S_IFMT = 0170000, S_IFSOCK = 0140000, S_IFLNK = 0120000, S_IFREG = 0100000, S_IFBLK = 060000,
            S_IFDIR = 040000, S_IFCHR = 020000, S_IFIFO = 010000, S_ISUID = 04000, S_ISGID = 02000, S_ISVTX = 01000;

    /** lseek whence. */
    public static final int SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

    /** access(2) modes. */
    public static final int F_OK = 0, X_OK = 1, W_OK = 2, R_OK = 4;

    /** Longest path Linux accepts (PATH_MAX, with its NUL). */
    public static final int PATH_MAX = 4096;
}
