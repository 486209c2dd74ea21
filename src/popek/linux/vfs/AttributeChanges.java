package popek.linux.vfs;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.auth.Credentials;

/**
 * Changes to a file's attributes with Linux's rules (fs/attr.c, fs/open.c, fs/utimes.c): chmod by the owner (the
 * setgid bit dropped for a group one is not in), chown by root or (the group only) by an owner in that group, with
 * setuid/setgid cleared as Linux clears them, timestamps, and truncate.
 */
public final class AttributeChanges {
    AttributeChanges() { }

    private static void writable(Location l) {
        if (l.mount().readOnly()) throw Errno.error(Errno.EROFS);
    }

    public void chmod(Credentials c, Location l, int mode) {
        Inode i = l.inode();
        writable(l);
        if (!Permissions.owns(c, i)) throw Errno.error(Errno.EPERM);
        mode &= 07777;
        if (!c.overridesFiles(i.uid(), i.gid()) && !i.isDirectory() && (mode & FileFlags.S_ISGID) != 0 && !c.inGroup(i.gid())) mode &= ~FileFlags.S_ISGID;
        i.chmod(mode);
    }

    /** chown: {@code uid} or {@code gid} -1 leaves it. */
    public void chown(Credentials c, Location l, int uid, int gid) {
        Inode i = l.inode();
        writable(l);
        if (!c.overridesFiles(i.uid(), i.gid())) {
            if (uid != -1 && uid != i.uid()) throw Errno.error(Errno.EPERM);
            if (gid != -1 && gid != i.gid() && (c.fsuid() != i.uid() || !c.inGroup(gid))) throw Errno.error(Errno.EPERM);
            if (uid == -1 && gid != -1 && c.fsuid() != i.uid()) throw Errno.error(Errno.EPERM);
        }
        i.chown(uid, gid);
        if (!i.isDirectory()) {
            int mode = i.mode() & 07777;
            int cleared = mode & ~FileFlags.S_ISUID;
            if ((mode & 0010) != 0) cleared &= ~FileFlags.S_ISGID;
            if (cleared != mode) i.chmod(cleared);
        }
    }

    /**
     * utimensat: {@code atime} and {@code mtime} in ns since the epoch, or UTIME_NOW / UTIME_OMIT. Times of one's
     * choice need ownership; "now" for both needs ownership or write permission.
     */
    public void utimes(Credentials c, Location l, long atime, long mtime) {
        Inode i = l.inode();
        if (atime == FileTimes.UTIME_OMIT && mtime == FileTimes.UTIME_OMIT) return;
        writable(l);
        boolean bothNow = (atime == FileTimes.UTIME_NOW || atime == FileTimes.UTIME_OMIT)
                && (mtime == FileTimes.UTIME_NOW || mtime == FileTimes.UTIME_OMIT);
        if (!Permissions.owns(c, i)) {
            if (!bothNow) throw Errno.error(Errno.EPERM);
            if (!Permissions.allowed(c, i, Permissions.MAY_WRITE)) throw Errno.error(Errno.EACCES);
        }
        long now = FileTimes.now();
        i.setTimes(atime == FileTimes.UTIME_NOW ? now : atime, mtime == FileTimes.UTIME_NOW ? now : mtime);
    }

    /** truncate(2) by path: write permission on a regular file. */
    public void truncate(Credentials c, Location l, long length) {
        Inode i = l.inode();
        if (i.isDirectory()) throw Errno.error(Errno.EISDIR);
        if (!i.isRegular()) throw Errno.error(Errno.EINVAL);
        if (length < 0) throw Errno.error(Errno.EINVAL);
        writable(l);
        Permissions.check(c, i, Permissions.MAY_WRITE);
        if (length > RegularFile.MAX_SIZE) throw Errno.error(Errno.EFBIG);
        i.truncate(length);
    }
}
