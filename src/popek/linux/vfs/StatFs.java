package popek.linux.vfs;

/** What statfs(2) reports of a file system (struct statfs64's fields), filled by {@link FileSystem#statfs}. */
public final class StatFs {
    public long type, blockSize = 4096, blocks, blocksFree, blocksAvailable, files, filesFree, nameLength = 255,
            fragmentSize = 4096, flags;
    public int fsidLow, fsidHigh;

    /** ST_* flags statfs reports (f_flags). */
    public static final int ST_RDONLY = 1, ST_NOSUID = 2, ST_NODEV = 4, ST_NOEXEC = 8, ST_RELATIME = 1024, ST_VALID = 0x20;
}
