package popek.linux.vfs.dev;

import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Location;

/**
 * A character device driver: what opening a device node with its number gives (Linux's file_operations.open, found by
 * major and minor). Drivers register in the container's {@link DeviceRegistry}; the open file they return is usually
 * a {@link DeviceFile}, which stats as the node and shows its path.
 */
@FunctionalInterface
public interface CharDevice {
    /** Opens the device for {@code c} through the node at {@code node} with open(2)'s {@code flags}; throws errno. */
    FileDescription open(Caller c, Location node, int flags);
}
