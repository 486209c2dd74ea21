package popek.linux.tty;

import popek.linux.vfs.StatBuf;

/**
 * The file system's node a terminal was opened through (/dev/pts/N, /dev/tty, /dev/ptmx...): what fstat of the open
 * terminal reports and the path /proc/[pid]/fd shows, so that they agree with stat of the node (ttyname compares
 * st_dev, st_ino and st_rdev). Without one a terminal describes itself the way devpts would.
 */
public interface TerminalNode {
    void stat(StatBuf out);

    String path();
}
