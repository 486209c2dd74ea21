package popek.linux.ns;

/**
 * A network namespace. Popek serves no sockets (socketcall and the socket calls answer ENOSYS): there is no device,
 * address, route or port to hold, not even a loopback, so it is only the identity tasks share or not, as
 * /proc/[pid]/ns/net, setns and unshare see it.
 */
public final class NetNamespace implements Namespace {
    private final long inode;
    private final UserNamespace owner;

    private NetNamespace(long inode, UserNamespace owner) {
        this.inode = inode;
        this.owner = owner;
    }

    public static NetNamespace initial() { return new NetNamespace(NsType.NET.initialInode(), UserNamespace.INITIAL); }

    /** A new one (CLONE_NEWNET) owned by {@code owner}. */
    public NetNamespace fresh(UserNamespace owner) { return new NetNamespace(NsInodes.allocate(), owner); }

    @Override
    public NsType type() { return NsType.NET; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return owner; }
}
