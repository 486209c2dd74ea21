package popek.linux.vfs;

/**
 * Where a directory's entries go during {@code getdents64} (or the older getdents): the system-call layer packs each
 * into the program's buffer and says when it is full.
 */
public interface DirentSink {
    /** DT_* types for {@code type}. */
    int DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

    /**
     * Adds one entry; {@code nextOffset} is the directory offset after it (what lseek/telldir would return). Returns
     * false when the buffer is full: the entry was not added, and the directory keeps its offset before it.
     */
    boolean add(long ino, long nextOffset, int type, String name);
}
