package popek.linux.tty;

import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.Kernel;
import popek.linux.kernel.Task;
import popek.linux.vfs.Caller;
import popek.linux.vfs.DeviceDirectory;
import popek.linux.vfs.DeviceRegistry;
import popek.linux.vfs.FileDescription;

/**
 * One container's terminals: the drivers behind /dev/tty (the caller's controlling terminal), /dev/ptmx (a new pty
 * pair), /dev/pts/N (a pair's slave) and /dev/console (the pair {@code popek run -t} connects to the host terminal),
 * and the pts directory itself, a devpts instance of the container's own as Docker mounts it
 * ({@code newinstance,ptmxmode=666,mode=620,gid=5}): numbering starts at 0, entries appear when /dev/ptmx is opened
 * and go when the master is closed.
 */
public final class Terminals implements DeviceDirectory {
    public static final int TTYAUX_MAJOR = 5, PTS_MAJOR = 136;
    public static final int TTY_MINOR = 0, CONSOLE_MINOR = 1, PTMX_MINOR = 2;
    /** The tty group, owner group of every /dev/pts/N. */
    public static final int TTY_GID = 5;
    /** st_dev of the devpts instance (an anonymous device, as Linux gives virtual file systems). */
    static final long DEVPTS_DEV = DeviceRegistry.rdev(0, 24);
    /** /proc/sys/kernel/pty/max's default. */
    static final int MAX_PTYS = 4096;

    private final Kernel kernel;
    private final TreeMap<Integer, Pty> ptys = new TreeMap<>();
    private Pty console;

    private Terminals(Kernel kernel) { this.kernel = kernel; }

    /** Registers the terminal drivers and /dev/pts with {@code devices}; the terminals of {@code kernel}. */
    public static Terminals install(Kernel kernel, DeviceRegistry devices) {
        Terminals t = new Terminals(kernel);
        devices.register(TTYAUX_MAJOR, t::openAux);
        devices.register(PTS_MAJOR, t::openPts);
        devices.registerDirectory("pts", t);
        return t;
    }

    Kernel kernel() { return kernel; }

    // ---------------------------------------------------------------- the console (popek run -t)

    /**
     * The pty {@code popek run -t} gives the first process: its master is the host terminal (output to {@code host}
     * as it is written), its slave /dev/pts/0 and /dev/console. Call before the kernel runs.
     */
    public synchronized Pty createConsole(int ownerUid, OutputStream host) {
        Pty p = allocate(ownerUid);
        p.attachHost(host);
        console = p;
        return p;
    }

    /** A new open file on the console's slave (the first process's standard input, output and error). */
    public FileDescription openConsole(int flags) { return new PtySlave(console, flags, console.slavePath(), PTS_MAJOR, console.index); }

    /** The console becomes the controlling terminal of {@code leader}'s session, its process group the foreground. */
    public void giveConsoleTo(Task leader) { JobControl.attach(leader, console); }

    // ---------------------------------------------------------------- drivers

    private FileDescription openAux(Caller c, int major, int minor, int flags) {
        Task t = (Task) c;
        switch (minor) {
            case TTY_MINOR -> {
                if (!(t.group().session().controllingTerminal() instanceof Pty p)) throw Errno.error(Errno.ENXIO);
                return new PtySlave(p, flags, "/dev/tty", TTYAUX_MAJOR, TTY_MINOR);
            }
            case CONSOLE_MINOR -> {
                // Docker binds the -t pty over /dev/console: opening it is opening that pts.
                Pty p = console;
                if (p == null || p.hungUp) throw Errno.error(Errno.ENXIO);
                return openPts(c, PTS_MAJOR, p.index, flags);
            }
            case PTMX_MINOR -> {
                Pty p;
                synchronized (this) {
                    p = allocate(t.credentials().fsuid());
                }
                return new PtyMaster(p, flags);
            }
            default -> throw Errno.error(Errno.ENXIO);
        }
    }

    private FileDescription openPts(Caller c, int major, int minor, int flags) {
        Task t = (Task) c;
        Pty p;
        synchronized (this) {
            p = ptys.get(minor);
        }
        if (p == null) throw Errno.error(Errno.ENXIO);
        if (p.locked || p.hungUp) throw Errno.error(Errno.EIO);
        if (p.exclusive && !t.credentials().privileged()) throw Errno.error(Errno.EBUSY);
        PtySlave s = new PtySlave(p, flags, p.slavePath(), PTS_MAJOR, p.index);
        JobControl.acquireOnOpen(t, p, (flags & FileFlags.O_NOCTTY) != 0, s.readable());
        return s;
    }

    /** TIOCGPTPEER: the slave of {@code p}, opened from its master without a path lookup (and without taking it as controlling terminal). */
    FileDescription openSlave(Pty p, int flags) {
        if (p.hungUp) throw Errno.error(Errno.EIO);
        return new PtySlave(p, flags, p.slavePath(), PTS_MAJOR, p.index);
    }

    private Pty allocate(int ownerUid) {
        int index = 0;
        for (int i : ptys.keySet()) {
            if (i != index) break;
            index++;
        }
        if (index >= MAX_PTYS) throw Errno.error(Errno.ENOSPC);
        Pty p = new Pty(index, this, ownerUid);
        ptys.put(index, p);
        return p;
    }

    /** The master of {@code p} closed: its number is free again. */
    synchronized void remove(Pty p) {
        ptys.remove(p.index, p);
        if (console == p) console = null;
    }

    // ---------------------------------------------------------------- /dev/pts

    private static final Node PTMX = new Node("ptmx", TTYAUX_MAJOR, PTMX_MINOR, 0666, 0, 0, 2);

    @Override
    public synchronized Node lookup(String name) {
        if (name.equals("ptmx")) return PTMX;
        if (name.isEmpty() || name.length() > 4 || !name.chars().allMatch(ch -> ch >= '0' && ch <= '9') || (name.length() > 1 && name.charAt(0) == '0')) return null;
        Pty p = ptys.get(Integer.parseInt(name));
        return p == null ? null : node(p);
    }

    @Override
    public synchronized List<Node> list() {
        List<Node> out = new ArrayList<>();
        out.add(PTMX);
        for (Pty p : ptys.values()) out.add(node(p));
        return out;
    }

    private static Node node(Pty p) { return new Node(Integer.toString(p.index), PTS_MAJOR, p.index, 0620, p.ownerUid, TTY_GID, p.index + 3); }
}
