package popek.linux.ns;

/**
 * An IPC namespace. Popek serves no System V IPC and no POSIX message queues (their calls answer ENOSYS), so it holds
 * nothing yet: it is the identity tasks share or not, which /proc/[pid]/ns/ipc, setns and unshare see, and where
 * those objects' key space will live.
 */
public final class IpcNamespace implements Namespace {
    private final long inode;
    private final UserNamespace owner;

    private IpcNamespace(long inode, UserNamespace owner) {
        this.inode = inode;
        this.owner = owner;
    }

    public static IpcNamespace initial() { return new IpcNamespace(NsType.IPC.initialInode(), UserNamespace.INITIAL); }

    /** A new, empty one (CLONE_NEWIPC) owned by {@code owner}. */
    public IpcNamespace fresh(UserNamespace owner) { return new IpcNamespace(NsInodes.allocate(), owner); }

    @Override
    public NsType type() { return NsType.IPC; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return owner; }
}
