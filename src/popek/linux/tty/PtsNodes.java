package popek.linux.tty;

/**
 * The file system's /dev/pts as the terminals see it (the VFS's devpts: {@code DevPts.add/remove}): entry N appears
 * when /dev/ptmx makes pair N, owned by the opener (group tty, mode 0620), and goes when the pair's master closes.
 */
public interface PtsNodes {
    /** Entry {@code index} appears; its node (what the console's files stat as), or null. */
    TerminalNode add(int index, int uid);

    void remove(int index);

    /** No file system shows the entries (tests of the terminals alone). */
    PtsNodes NONE = new PtsNodes() {
        @Override public TerminalNode add(int index, int uid) { return null; }

        @Override public void remove(int index) { }
    };
}
