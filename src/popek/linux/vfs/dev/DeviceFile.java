package popek.linux.vfs.dev;

import popek.linux.vfs.Location;
import popek.linux.vfs.VfsFile;

/**
 * An open device: stat describes the node it was opened through, /proc/[pid]/fd shows that node's path. Drivers
 * subclass it and override read, write, ioctl, readiness and the wait queue.
 */
public abstract class DeviceFile extends VfsFile {
    protected DeviceFile(Location node, int flags) { super(node, flags); }
}
