package popek.linux.vfs;

/**
 * Device numbers as Linux packs them in a dev_t (major in bits 8-19, minor in bits 0-7 and 20-31: new_encode_dev),
 * and the anonymous devices (major 0) that memory, proc and overlay file systems are given one each.
 */
public final class DeviceNumbers {
    private int nextAnonymous;

    public DeviceNumbers(int firstAnonymousMinor) { this.nextAnonymous = firstAnonymousMinor; }

    public static int makedev(int major, int minor) { return (minor & 0xFF) | ((major & 0xFFF) << 8) | ((minor & ~0xFF) << 12); }

    public static int major(int dev) { return (dev >>> 8) & 0xFFF; }

    public static int minor(int dev) { return (dev & 0xFF) | ((dev >>> 12) & ~0xFF); }

    /** A new anonymous device (0:N) for a file system without a disk. */
    public synchronized int anonymous() { return makedev(0, nextAnonymous++); }
}
