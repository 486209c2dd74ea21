package popek.linux.vfs.dev;

import java.util.HashMap;
import java.util.Map;

import popek.linux.abi.Errno;
import popek.linux.vfs.Caller;
import popek.linux.vfs.DeviceNumbers;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;

/**
 * The character devices of one container, by number (Linux's chrdev map): a node of any file system, wherever it was
 * made (devtmpfs, mknod in /tmp, a layer of the image), opens the driver registered for its major and minor, or for
 * its whole major. Unregistered numbers fail with ENXIO, as on Linux. The memory devices (major 1) are registered by
 * {@link MemoryDevices}; the terminal package registers /dev/tty (5,0), /dev/console (5,1), /dev/ptmx (5,2) and the
 * pseudo-terminal slaves (major 136) and makes their /dev/pts entries through {@link DevPts}.
 */
public final class DeviceRegistry {
    /** Majors Linux gives these devices. */
    public static final int MEM_MAJOR = 1, TTYAUX_MAJOR = 5, PTS_MAJOR = 136;

    private final Map<Integer, CharDevice> byNumber = new HashMap<>();
    private final Map<Integer, CharDevice> byMajor = new HashMap<>();

    /** Registers the driver of device {@code major}:{@code minor} (replacing any). */
    public synchronized void register(int major, int minor, CharDevice driver) {
        byNumber.put(DeviceNumbers.makedev(major, minor), driver);
    }

    /** Registers the driver of every minor of {@code major} that has no driver of its own. */
    public synchronized void registerMajor(int major, CharDevice driver) { byMajor.put(major, driver); }

    /** The driver of device number {@code rdev}, or null. */
    public synchronized CharDevice lookup(int rdev) {
        CharDevice d = byNumber.get(rdev);
        return d != null ? d : byMajor.get(DeviceNumbers.major(rdev));
    }

    /** Opens the device node at {@code node}: its driver's open, or ENXIO. */
    public FileDescription open(Caller c, Location node, int flags) {
        CharDevice d = lookup(node.inode().rdev());
        if (d == null) throw Errno.error(Errno.ENXIO);
        return d.open(c, node, flags);
    }
}
