package popek.linux.vfs;

import java.util.HashMap;
import java.util.Map;

/**
 * Inode numbers for one file system (or an overlay and its layers): new files take the next number, and a host file
 * keeps one number however it is reached (its host identity maps to it), so hard links in an image share a number
 * and no host inode number is ever shown to the container.
 */
public final class InodeNumbers {
    private long next;
    private final Map<Object, Long> hostKeys = new HashMap<>();

    public InodeNumbers(long first) { this.next = first; }

    public synchronized long allocate() { return next++; }

    /** The number of the host file whose identity (NIO's fileKey: device and inode) is {@code key}. */
    public synchronized long forHost(Object key) {
        Long n = hostKeys.get(key);
        if (n == null) {
            n = next++;
            hostKeys.put(key, n);
        }
        return n;
    }
}
