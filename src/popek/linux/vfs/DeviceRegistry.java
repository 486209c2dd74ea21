package popek.linux.vfs;

import java.util.HashMap;
import java.util.Map;

import popek.linux.abi.Errno;

/**
 * One container's character devices: drivers by major number, and the directories of dynamic device nodes (devpts)
 * by the name the VFS mounts them under in /dev. Drivers register once, when the container is assembled; the VFS
 * opens device nodes through {@link #open} and serves {@link #directory}s as directories.
 */
public final class DeviceRegistry {
    private final Map<Integer, CharDevice> drivers = new HashMap<>();
    private final Map<String, DeviceDirectory> directories = new HashMap<>();

    /** {@code driver} serves every minor of {@code major}. */
    public synchronized void register(int major, CharDevice driver) { drivers.put(major, driver); }

    /** {@code dir} is shown as /dev/{@code name} (e.g. "pts"). */
    public synchronized void registerDirectory(String name, DeviceDirectory dir) { directories.put(name, dir); }

    /** The directory registered as {@code name}, or null. */
    public synchronized DeviceDirectory directory(String name) { return directories.get(name); }

    /** Opens the node {@code major:minor}; ENXIO when no driver serves it (as Linux for a node without a device). */
    public FileDescription open(Caller caller, int major, int minor, int flags) {
        CharDevice d;
        synchronized (this) {
            d = drivers.get(major);
        }
        if (d == null) throw Errno.error(Errno.ENXIO);
        return d.open(caller, major, minor, flags);
    }

    /** st_rdev for a device number, as new_encode_dev encodes it (what stat64 reports and makedev(3) decodes). */
    public static long rdev(int major, int minor) {
        return (minor & 0xFFL) | ((major & 0xFFFL) << 8) | ((minor & ~0xFFL) << 12);
    }
}
