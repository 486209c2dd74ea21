package popek.linux.tty;

import popek.linux.kernel.Kernel;
import popek.linux.vfs.DeviceNumbers;
import popek.linux.vfs.Inode;
import popek.linux.vfs.Location;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.dev.DevPts;
import popek.linux.vfs.dev.DeviceRegistry;

/**
 * Plugs a container's terminals into its file system: the drivers of /dev/tty, /dev/console, /dev/ptmx (5:0-2) and
 * of every pts slave (major 136) in its device registry, and each pair's entry in its devpts (/dev/pts/N).
 */
public final class TerminalDevices {
    private TerminalDevices() { }

    /** The terminals of {@code kernel}, registered in {@code devices}, their pairs shown in {@code pts}. */
    public static Terminals install(Kernel kernel, DeviceRegistry devices, DevPts pts) {
        Terminals t = new Terminals(kernel, new PtsNodes() {
            @Override
            public TerminalNode add(int index, int uid) { return node(pts.add(index, uid), "/dev/pts/" + index); }

            @Override
            public void remove(int index) { pts.remove(index); }
        });
        for (int minor = Terminals.TTY_MINOR; minor <= Terminals.PTMX_MINOR; minor++) {
            int m = minor;
            devices.register(Terminals.TTYAUX_MAJOR, m, (c, node, flags) -> t.open(c, Terminals.TTYAUX_MAJOR, m, flags, node(node)));
        }
        devices.registerMajor(Terminals.PTS_MAJOR, (c, node, flags) ->
                t.open(c, Terminals.PTS_MAJOR, DeviceNumbers.minor(node.inode().rdev()), flags, node(node)));
        return t;
    }

    /** The node a terminal was opened through, as fstat and /proc/[pid]/fd show it (the same as stat of its path). */
    private static TerminalNode node(Location at) { return node(at.inode(), at.absolutePath()); }

    private static TerminalNode node(Inode inode, String path) {
        return new TerminalNode() {
            @Override
            public void stat(StatBuf out) { inode.stat(out); }

            @Override
            public String path() { return path; }
        };
    }
}
