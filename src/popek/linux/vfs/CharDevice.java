package popek.linux.vfs;

/**
 * A character-device driver (Linux's cdev with its open): what opening a device node of its major number gives. The
 * VFS finds the driver in the {@link DeviceRegistry} by the node's numbers; the driver makes the open file.
 */
@FunctionalInterface
public interface CharDevice {
    /**
     * open(2) of the node {@code major:minor} with {@code flags} by {@code caller}: the open file, or throws
     * {@link popek.linux.abi.SyscallException} (ENXIO: no such device now; EIO: a locked pty; ...).
     */
    FileDescription open(Caller caller, int major, int minor, int flags);
}
