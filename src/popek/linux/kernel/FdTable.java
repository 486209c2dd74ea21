package popek.linux.kernel;

import java.util.Arrays;

import popek.linux.abi.Errno;
import popek.linux.vfs.FileDescription;

/**
 * A process's file descriptors (Linux's files_struct): numbers to open files, each with its close-on-exec flag.
 * Shared by tasks made with CLONE_FILES, copied by fork (the copies refer to the same open files).
 */
public final class FdTable {
    /** RLIMIT_NOFILE's usual soft limit. */
    public static final int DEFAULT_LIMIT = 1024;

    private FileDescription[] files = new FileDescription[64];
    private boolean[] cloexec = new boolean[64];
    private int limit = DEFAULT_LIMIT;
    private int users = 1;

    /** One more task shares this table (CLONE_FILES). */
    public synchronized void addUser() { users++; }

    /** A task stopped using it; true for the last, which closes everything. */
    public synchronized boolean removeUser() { return --users == 0; }

    /** True while more than one task shares it (CLONE_FILES). */
    public synchronized boolean shared() { return users > 1; }

    public synchronized FileDescription get(int fd) {
        return fd >= 0 && fd < files.length ? files[fd] : null;
    }

    public synchronized int limit() { return limit; }

    public synchronized void setLimit(int limit) { this.limit = limit; }

    private void grow(int fd) {
        if (fd < files.length) return;
        int n = Math.max(files.length * 2, fd + 1);
        files = Arrays.copyOf(files, n);
        cloexec = Arrays.copyOf(cloexec, n);
    }

    /** Installs {@code f} at the lowest free number at or above {@code min}; the table takes the caller's reference. */
    public synchronized int install(FileDescription f, int min, boolean closeOnExec) {
        for (int fd = Math.max(0, min); fd < limit; fd++) {
            grow(fd);
            if (files[fd] == null) {
                files[fd] = f;
                cloexec[fd] = closeOnExec;
                return fd;
            }
        }
        return -Errno.EMFILE;
    }

    /**
     * Installs {@code f} at exactly {@code fd} (dup2, dup3), closing what was there. Returns fd or -EBADF. The table
     * takes the caller's reference.
     */
    public int installAt(int fd, FileDescription f, boolean closeOnExec) {
        FileDescription old;
        synchronized (this) {
            if (fd < 0 || fd >= limit) return -Errno.EBADF;
            grow(fd);
            old = files[fd];
            files[fd] = f;
            cloexec[fd] = closeOnExec;
        }
        if (old != null) old.close();
        return fd;
    }

    /** Removes {@code fd} and returns its file (the caller closes it), or null if it was not open. */
    public synchronized FileDescription remove(int fd) {
        if (fd < 0 || fd >= files.length || files[fd] == null) return null;
        FileDescription f = files[fd];
        files[fd] = null;
        cloexec[fd] = false;
        return f;
    }

    /** close(2): 0 or -EBADF. */
    public int close(int fd) {
        FileDescription f = remove(fd);
        if (f == null) return -Errno.EBADF;
        f.close();
        return 0;
    }

    public synchronized boolean closeOnExec(int fd) { return fd >= 0 && fd < files.length && cloexec[fd]; }

    public synchronized void setCloseOnExec(int fd, boolean on) {
        if (fd >= 0 && fd < files.length && files[fd] != null) cloexec[fd] = on;
    }

    /** The descriptors now open, in order (for /proc/[pid]/fd). */
    public synchronized int[] openDescriptors() {
        int n = 0;
        for (FileDescription f : files) if (f != null) n++;
        int[] out = new int[n];
        n = 0;
        for (int fd = 0; fd < files.length; fd++) if (files[fd] != null) out[n++] = fd;
        return out;
    }

    /** A copy for fork: the same open files, each with one more reference. */
    public synchronized FdTable copy() {
        FdTable t = new FdTable();
        t.files = files.clone();
        t.cloexec = cloexec.clone();
        t.limit = limit;
        for (FileDescription f : t.files) if (f != null) f.retain();
        return t;
    }

    /** execve: closes every descriptor marked close-on-exec. */
    public void closeOnExec() {
        for (int fd = 0; fd < files.length; fd++) {
            if (closeOnExec(fd)) close(fd);
        }
    }

    /** Exit: closes everything. */
    public void closeAll() {
        for (int fd = 0; fd < files.length; fd++) {
            FileDescription f = remove(fd);
            if (f != null) f.close();
        }
    }
}
