package popek.linux.vfs;

import popek.linux.auth.Credentials;
import popek.linux.mm.UserMemory;

/**
 * Who performs a file operation, as the file sees it: the calling task, reduced to what files need (its identity for
 * permission checks and its memory for ioctl arguments). The kernel's Task implements it; files never see the rest
 * of the kernel, so the VFS does not depend on it.
 */
public interface Caller {
    Credentials credentials();

    UserMemory memory();

    /** The caller's thread-group id (for locks, /proc/self, a terminal's foreground checks). */
    int pid();
}
