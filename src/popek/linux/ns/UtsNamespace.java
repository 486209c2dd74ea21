package popek.linux.ns;

/** A UTS namespace: the host name and NIS domain name uname(2) reports and sethostname(2) sets. */
public final class UtsNamespace implements Namespace {
    /** The longest name (__NEW_UTS_LEN). */
    public static final int NAME_MAX = 64;

    private final long inode;
    private final UserNamespace owner;
    private volatile String hostname, domainname;

    private UtsNamespace(long inode, UserNamespace owner, String hostname, String domainname) {
        this.inode = inode;
        this.owner = owner;
        this.hostname = hostname;
        this.domainname = domainname;
    }

    /** A kernel's first UTS namespace. */
    public static UtsNamespace initial(String hostname) {
        return new UtsNamespace(NsType.UTS.initialInode(), UserNamespace.INITIAL, hostname, "(none)");
    }

    /** A copy (CLONE_NEWUTS): the same names, changed apart from now on; owned by {@code owner}. */
    public UtsNamespace copy(UserNamespace owner) { return new UtsNamespace(NsInodes.allocate(), owner, hostname, domainname); }

    public String hostname() { return hostname; }

    public void setHostname(String h) { hostname = h; }

    public String domainname() { return domainname; }

    public void setDomainname(String d) { domainname = d; }

    @Override
    public NsType type() { return NsType.UTS; }

    @Override
    public long inode() { return inode; }

    @Override
    public UserNamespace owner() { return owner; }
}
