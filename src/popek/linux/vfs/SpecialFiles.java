package popek.linux.vfs;

/**
 * What the VFS cannot open by itself, given to it by whoever assembles a container's files: FIFOs (a pipe shared by
 * every opener, open blocking until the other side comes), character devices (drivers by device number), and new
 * file systems for mount(2) by type.
 */
public interface SpecialFiles {
    /** Opens the FIFO at {@code at}; -EAGAIN thrown as an error means "wait" and is handled by the caller's retry. */
    FileDescription openFifo(Caller c, Location at, int flags);

    /** Opens the character device at {@code at} by its device number (ENXIO when no driver has it). */
    FileDescription openDevice(Caller c, Location at, int flags);

    /**
     * A new file system of {@code type} for mount(2) by {@code c} (ENODEV for a type it does not know); a proc shows
     * the pid namespace of its mounter.
     */
    FileSystem newFileSystem(Caller c, String type, String source, String options);

    /** The queue a FIFO open of {@code c} that had to wait sleeps on, or null when it has none pending. */
    default popek.linux.waiter.WaitQueue pendingOpen(Caller c) { return null; }

    /** {@code c} gave up its pending FIFO open (a signal interrupted it). */
    default void cancelOpen(Caller c) { }

    /** memfd_create: a new file in memory with no name in the tree ("/memfd:NAME (deleted)"). */
    FileDescription memfd(Caller c, String name, int flags);

    /** Process {@code pid} ended: a FIFO open it was waiting in no longer counts. */
    default void processExited(int pid) { }

    /** True while process {@code pid} exists (record locks of a process that is gone are ignored). */
    default boolean processAlive(int pid) { return true; }
}
