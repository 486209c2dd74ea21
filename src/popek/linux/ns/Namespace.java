package popek.linux.ns;

/**
 * One namespace of any kind, as nsfs and setns see it: its kind, its inode number (what {@code readlink
 * /proc/[pid]/ns/KIND} shows and {@code stat} reports), and the user namespace that owns it (where a task needs
 * CAP_SYS_ADMIN to enter it or change what it holds).
 */
public interface Namespace {
    NsType type();

    /** Its nsfs inode number, unique among the namespaces of the machine. */
    long inode();

    /** The user namespace owning it (for a user namespace: its parent; null for the initial one). */
    UserNamespace owner();

    /** "uts:[4026531838]": the text of its /proc/[pid]/ns link and the name of its nsfs file. */
    default String linkText() { return type().procName() + ":[" + inode() + "]"; }
}
