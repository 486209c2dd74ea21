package popek.linux.ns;

/**
 * The eight kinds of Linux namespace: the CLONE_NEW* flag that makes one, the name its /proc/[pid]/ns link and nsfs
 * file carry ("uts:[4026531838]"), and the inode number Linux gives the initial one of its kind (0 for the kinds whose
 * initial namespace is numbered at boot, mnt and net).
 */
public enum NsType {
    CGROUP(0x02000000, "cgroup", 0xEFFFFFFBL),
    IPC(0x08000000, "ipc", 0xEFFFFFFFL),
    MNT(0x00020000, "mnt", 0),
    NET(0x40000000, "net", 0),
    PID(0x20000000, "pid", 0xEFFFFFFCL),
    TIME(0x00000080, "time", 0xEFFFFFFAL),
    USER(0x10000000, "user", 0xEFFFFFFDL),
    UTS(0x04000000, "uts", 0xEFFFFFFEL);

    /** Every CLONE_NEW* flag. */
    public static final int ALL_FLAGS = 0x02000000 | 0x08000000 | 0x00020000 | 0x40000000 | 0x20000000 | 0x00000080
            | 0x10000000 | 0x04000000;

    private final int flag;
    private final String procName;
    private final long initialInode;

    NsType(int flag, String procName, long initialInode) {
        this.flag = flag;
        this.procName = procName;
        this.initialInode = initialInode;
    }

    /** Its CLONE_NEW* flag (CLONE_NEWNS for mnt). */
    public int flag() { return flag; }

    /** "uts", "pid", ...: the /proc/[pid]/ns entry and the prefix of the link's text. */
    public String procName() { return procName; }

    /** The inode number of the initial namespace of this kind (PROC_*_INIT_INO), or a fresh one for mnt and net. */
    public long initialInode() { return initialInode != 0 ? initialInode : NsInodes.allocate(); }

    /** The kind whose CLONE_NEW* flag is {@code flag} alone, or null. */
    public static NsType ofFlag(int flag) {
        for (NsType t : values()) if (t.flag == flag) return t;
        return null;
    }
}
