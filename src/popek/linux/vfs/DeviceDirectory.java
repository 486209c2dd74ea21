package popek.linux.vfs;

import java.util.List;

/**
 * A directory whose entries are device nodes that come and go with the devices (devpts: /dev/pts/N appears when
 * /dev/ptmx is opened and goes when its master is closed). The VFS lists and looks it up at every use, never caches.
 */
public interface DeviceDirectory {
    /** One entry: a character device node with its numbers, permission bits (no S_IFCHR) and owner. */
    record Node(String name, int major, int minor, int mode, int uid, int gid, long ino) { }

    /** The entry named {@code name} now, or null (ENOENT). */
    Node lookup(String name);

    /** Every entry now, in the order getdents shows them. */
    List<Node> list();
}
