package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;

/**
 * File permission checks as Linux's generic_permission makes them, by the file-system ids: the owner's, the group's
 * or the others' bits; the root of a user namespace with its capabilities reads and writes any file whose owner and
 * group its namespace names, and executes any with an execute bit (CAP_DAC_OVERRIDE; see
 * {@link Credentials#overridesFiles}).
 */
public final class Permissions {
    private Permissions() { }

    public static final int MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4;

    public static boolean allowed(Credentials c, int mode, int uid, int gid, int mask) {
        if (c.overridesFiles(uid, gid)) {
            if ((mask & MAY_EXEC) == 0 || (mode & FileFlags.S_IFMT) == FileFlags.S_IFDIR) return true;
            return (mode & 0111) != 0;
        }
        int bits;
        if (c.fsuid() == uid) bits = mode >> 6;
        else if (c.inGroup(gid)) bits = mode >> 3;
        else bits = mode;
        return (bits & mask & 7) == (mask & 7);
    }

    public static boolean allowed(Credentials c, Inode i, int mask) { return allowed(c, i.mode(), i.uid(), i.gid(), mask); }

    /** Throws EACCES unless {@code c} may access {@code i} as {@code mask} asks. */
    public static void check(Credentials c, Inode i, int mask) {
        if (!allowed(c, i, mask)) throw Errno.error(Errno.EACCES);
    }

    /** True for the file's owner or root (who may chmod, utime to any time, and so on). */
    public static boolean owns(Credentials c, Inode i) { return c.fsuid() == i.uid() || c.overridesFiles(i.uid(), i.gid()); }

    /**
     * May {@code c} remove or rename {@code child} out of {@code dir}? Write and search on the directory, and with the
     * sticky bit set only the owner of the file or of the directory (or root).
     */
    public static void checkDelete(Credentials c, Inode dir, Inode child) {
        check(c, dir, MAY_WRITE | MAY_EXEC);
        if ((dir.mode() & FileFlags.S_ISVTX) != 0 && c.fsuid() != child.uid() && c.fsuid() != dir.uid()
                && !c.overridesFiles(child.uid(), child.gid())) {
            throw Errno.error(Errno.EPERM);
        }
    }
}
