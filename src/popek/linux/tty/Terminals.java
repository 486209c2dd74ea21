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
import popek.linux.vfs.FileDescription;

/**
 * One container's terminals: the character devices behind /dev/tty (5,0: the caller's controlling terminal),
 * /dev/console (5,1: the pair {@code popek run -t} connects to the host terminal), /dev/ptmx (5,2: a new pty pair)
 * and /dev/pts/N (136,N: a pair's slave), numbered from 0 in the container's own devpts as Docker mounts it
 * ({@code newinstance,ptmxmode=666,mode=620,gid=5}). The file system opens a node through {@link #open} and shows
 * the pairs in /dev/pts as {@link PtsNodes} tells it.
 */
public final class Terminals {
    public static final int TTYAUX_MAJOR = 5, PTS_MAJOR = 136;
    public static final int TTY_MINOR = 0, CONSOLE_MINOR = 1, PTMX_MINOR = 2;
    /** The tty group, owner group of every /dev/pts/N. */
    public static final int TTY_GID = 5;
    /** st_dev of the devpts instance (an anonymous device, as Linux gives virtual file systems). */
    static final long DEVPTS_DEV = rdev(0, 24);
    /** /proc/sys/kernel/pty/max's default. */
    static final int MAX_PTYS = 4096;

    private final Kernel kernel;
    private final PtsNodes nodes;
    private final TreeMap<Integer, Pty> ptys = new TreeMap<>();
    private Pty console;

    /** The terminals of {@code kernel}, whose pairs appear in the file system's /dev/pts through {@code nodes}. */
    public Terminals(Kernel kernel, PtsNodes nodes) {
        this.kernel = kernel;
        this.nodes = nodes;
    }

    /** st_rdev of a device number, as new_encode_dev encodes it (what stat64 reports and makedev(3) decodes). */
    public static long rdev(int major, int minor) {
        return (minor & 0xFFL) | ((major & 0xFFFL) << 8) | ((minor & ~0xFFL) << 12);
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
    public FileDescription openConsole(int flags) {
        return new PtySlave(console, flags, console.slavePath(), PTS_MAJOR, console.index, console.node);
    }

    /** The console becomes the controlling terminal of {@code leader}'s session, its process group the foreground. */
    public void giveConsoleTo(Task leader) { JobControl.attach(leader, console); }

    // ---------------------------------------------------------------- drivers

    /**
     * Opens device {@code major}:{@code minor} (5:0-2 or 136:N) for {@code c} with open(2)'s {@code flags}, through
     * {@code node} (null if not known), as a node of that number opens; throws ENXIO for a number that is no
     * terminal, EIO for a locked or hung-up pty.
     */
    public FileDescription open(Caller c, int major, int minor, int flags, TerminalNode node) {
        if (major == TTYAUX_MAJOR) return openAux(c, minor, flags, node);
        if (major == PTS_MAJOR) return openPts(c, minor, flags, node);
        throw Errno.error(Errno.ENXIO);
    }

    /** Terminals need the calling task (its session, job control); the VFS's stand-in callers get EIO. */
    static Task task(Caller c) {
        if (c instanceof Task t) return t;
        throw Errno.error(Errno.EIO);
    }

    private FileDescription openAux(Caller c, int minor, int flags, TerminalNode node) {
        Task t = task(c);
        switch (minor) {
            case TTY_MINOR -> {
                if (!(t.group().session().controllingTerminal() instanceof Pty p)) throw Errno.error(Errno.ENXIO);
                return new PtySlave(p, flags, "/dev/tty", TTYAUX_MAJOR, TTY_MINOR, node);
            }
            case CONSOLE_MINOR -> {
                // Docker binds the -t pty over /dev/console: opening it is opening that pts.
                Pty p = console;
                if (p == null || p.hungUp) throw Errno.error(Errno.ENXIO);
                return openPts(c, p.index, flags, p.node);
            }
            case PTMX_MINOR -> {
                Pty p;
                synchronized (this) {
                    p = allocate(t.credentials().fsuid());
                }
                return new PtyMaster(p, flags, node);
            }
            default -> throw Errno.error(Errno.ENXIO);
        }
    }

    private FileDescription openPts(Caller c, int minor, int flags, TerminalNode node) {
        Task t = task(c);
        Pty p;
        synchronized (this) {
            p = ptys.get(minor);
        }
        if (p == null) throw Errno.error(Errno.ENXIO);
        if (p.locked || p.hungUp) throw Errno.error(Errno.EIO);
        if (p.exclusive && !t.credentials().privileged()) throw Errno.error(Errno.EBUSY);
        PtySlave s = new PtySlave(p, flags, p.slavePath(), PTS_MAJOR, p.index, node != null ? node : p.node);
        JobControl.acquireOnOpen(t, p, (flags & FileFlags.O_NOCTTY) != 0, s.readable());
        return s;
    }

    /** TIOCGPTPEER: the slave of {@code p}, opened from its master without a path lookup (and without taking it as controlling terminal). */
    FileDescription openSlave(Pty p, int flags) {
        if (p.hungUp) throw Errno.error(Errno.EIO);
        return new PtySlave(p, flags, p.slavePath(), PTS_MAJOR, p.index, p.node);
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
        p.node = nodes.add(index, ownerUid);
        return p;
    }

    /** The master of {@code p} closed: its number is free again. */
    synchronized void remove(Pty p) {
        if (ptys.remove(p.index, p)) nodes.remove(p.index);
        if (console == p) console = null;
    }

    /** The owner of pair {@code index}'s slave, or -1 when there is no such pair. */
    public synchronized int owner(int index) {
        Pty p = ptys.get(index);
        return p == null ? -1 : p.ownerUid;
    }

    /** The numbers of the pairs that exist, in order. */
    public synchronized List<Integer> indexes() { return new ArrayList<>(ptys.keySet()); }
}
