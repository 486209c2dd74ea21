package popek.cgroup;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one cgroup hierarchy of a JVM that hosts containers and VMs: its root (every controller enabled for its
 * children, as a system manager sets a Linux host up) and, below it, one cgroup per running container
 * ({@code container-N}) and per VM ({@code vm-N}), made when it starts and removed when it ends. A container sees its
 * own cgroup as the root of its {@code /sys/fs/cgroup} (as with a private cgroup namespace) and manages the subtree
 * below it; nothing inside can reach above it.
 */
public final class CgroupHierarchy {
    private static final CgroupHierarchy HOST = new CgroupHierarchy();

    private final Cgroup root = Cgroup.newRoot();
    private final AtomicInteger serial = new AtomicInteger();

    /** A separate hierarchy (tests); Popek itself uses {@link #host()}. */
    public CgroupHierarchy() { }

    /** This JVM's hierarchy. */
    public static CgroupHierarchy host() { return HOST; }

    public Cgroup root() { return root; }

    /** A new child of the root named {@code kind-N} (N counts up from 1 in this JVM): a container's or a VM's. */
    public Cgroup newGroup(String kind) {
        for (;;) {
            Cgroup c = root.create(kind + "-" + serial.incrementAndGet());
            if (c != null) return c;
        }
    }

    /**
     * Removes {@code group} (a child of the root) with whatever subtree its container made, once everything in it has
     * ended. Charges still held (pages of zombies, guest RAM being freed) go on being given back through it.
     */
    public void discard(Cgroup group) {
        if (group.parent() != root) throw new IllegalArgumentException(group + " is not a child of the root");
        root.discard(group.name());
    }
}
