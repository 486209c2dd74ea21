package popek.linux.vfs;

import popek.linux.auth.Credentials;

/**
 * The container's file tree as the kernel uses it outside the file system calls: to open a program for execve, an
 * interpreter named by PT_INTERP or {@code #!}, and the first process's standard files. The VFS implements it (and
 * serves the file system calls itself, through its system-call family). Failures throw
 * {@link popek.linux.abi.SyscallException} with Linux's errno.
 */
public interface Vfs {
    /** The root of the tree, for the first task's {@link FsContext}. */
    Dentry root();

    /**
     * Opens {@code path} (absolute, or relative to {@code base}, following symlinks, within {@code fs}'s root) with
     * open(2) {@code flags} and {@code mode}, checking permissions against {@code creds}.
     */
    FileDescription open(FsContext fs, Dentry base, String path, int flags, int mode, Credentials creds);

    /** Resolves {@code path} like {@link #open} and describes it ({@code follow}: the last component's symlink too). */
    void stat(FsContext fs, Dentry base, String path, boolean follow, Credentials creds, StatBuf out);

    /** Resolves a directory, for chdir and the first process's working directory. */
    Dentry directory(FsContext fs, Dentry base, String path, Credentials creds);

    /** Process {@code pid} has ended (its last thread): its record locks and any open it was waiting in go. */
    default void processExited(int pid) { }
}
