package popek.linux.tty;

import java.io.IOException;
import java.io.OutputStream;

import popek.linux.abi.Signals;
import popek.linux.kernel.ControllingTerminal;
import popek.linux.kernel.ProcessGroup;
import popek.linux.kernel.Session;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * A pseudo-terminal pair (Unix98, /dev/pts/N): the terminal its slave end is (settings, window size, line discipline,
 * session and foreground process group) and the two byte streams between the ends. What the master writes waits in
 * the slave's input buffer until the line discipline takes it (64 KiB, then the master's writes block); what the slave
 * writes or echoes waits for the master's reads (64 KiB), or goes straight to the host terminal when the host is the
 * master ({@code popek run -t}). Kernel-thread only.
 */
public final class Pty implements LineDiscipline.Port, ControllingTerminal {
    static final int BUFFER = 65536;

    final int index;
    final Terminals terminals;
    final Termios termios = Termios.ptySlaveDefaults();
    final LineDiscipline ldisc;
    private final ByteRing toMaster = new ByteRing(BUFFER), toSlave = new ByteRing(BUFFER);
    /** Waiters of the master end (POLLIN: output to read; POLLOUT: room for input) and of the slave end. */
    final WaitQueue masterQueue = new WaitQueue(), slaveQueue = new WaitQueue();
    int rows, cols, xpixel, ypixel;
    /** The slave may not be opened until unlockpt (TIOCSPTLCK 0). */
    boolean locked = true;
    /** The master was closed: the slave is hung up for good. */
    boolean hungUp;
    /** The slave was opened and every one of its files closed since (the master reads EIO, polls POLLHUP). */
    boolean slaveClosed;
    int slaveOpens;
    /** TIOCEXCL: only the superuser may open the slave again. */
    boolean exclusive;
    final int ownerUid;
    /** The session this is the controlling terminal of, and its foreground process group (null: none). */
    Session session;
    ProcessGroup foreground;
    /** The file system's /dev/pts/N (null: none known). */
    TerminalNode node;
    /** When the host terminal is the master: where output goes. */
    private OutputStream host;

    Pty(int index, Terminals terminals, int ownerUid) {
        this.index = index;
        this.terminals = terminals;
        this.ownerUid = ownerUid;
        this.ldisc = new LineDiscipline(termios, this);
    }

    public int index() { return index; }

    /** The host terminal becomes the master: output goes to {@code out} as it is written. */
    public void attachHost(OutputStream out) {
        host = out;
        locked = false;
    }

    // ---------------------------------------------------------------- master to slave

    /** Bytes written to the master (typed at the terminal): how many were taken, 0 when the input buffer is full. */
    public int masterWrite(byte[] b, int off, int len) {
        int n = toSlave.put(b, off, len);
        feed();
        return n;
    }

    /** Room for master writes. */
    int masterRoom() { return toSlave.free(); }

    /** Hands waiting input to the line discipline as far as it takes it; wakes whoever can now go on. */
    void feed() {
        int taken = 0;
        while (!toSlave.isEmpty() && ldisc.acceptsInput()) {
            int n = ldisc.receive(toSlave.array(), toSlave.head(), toSlave.contiguous());
            if (n == 0) break;
            toSlave.skip(n);
            taken += n;
        }
        if (ldisc.readable(1)) slaveQueue.notify(Events.POLLIN | Events.POLLRDNORM);
        if (taken > 0) masterQueue.notify(Events.POLLOUT | Events.POLLWRNORM);
    }

    /** TCFLSH of the slave's input (with what the master wrote and the discipline has not taken yet). */
    void flushInput() {
        toSlave.clear();
        ldisc.flushInput();
        masterQueue.notify(Events.POLLOUT | Events.POLLWRNORM);
    }

    // ---------------------------------------------------------------- slave to master

    /** Reads what the slave wrote or echoed. */
    int masterRead(byte[] dst, int off, int len) {
        int n = toMaster.take(dst, off, len);
        if (n > 0) {
            ldisc.flushEchoes();
            slaveQueue.notify(Events.POLLOUT | Events.POLLWRNORM);
        }
        return n;
    }

    int masterAvailable() { return toMaster.count(); }

    /** TCFLSH of the slave's output not yet read by the master. */
    void flushOutput() {
        toMaster.clear();
        slaveQueue.notify(Events.POLLOUT | Events.POLLWRNORM);
    }

    @Override
    public int room() { return host != null ? BUFFER : toMaster.free(); }

    @Override
    public void output(byte[] b, int off, int len) {
        if (host != null) {
            try {
                host.write(b, off, len);
                host.flush();
            } catch (IOException e) {
                // the host terminal went away: the output is lost, as on a hung-up line
            }
            return;
        }
        toMaster.put(b, off, len);
        masterQueue.notify(Events.POLLIN | Events.POLLRDNORM);
    }

    @Override
    public void outputStarted() { slaveQueue.notify(Events.POLLOUT | Events.POLLWRNORM); }

    @Override
    public void signal(int sig) {
        if (foreground != null) JobControl.signalGroup(terminals.kernel(), foreground, sig);
    }

    @Override
    public int device() { return (int) Terminals.rdev(Terminals.PTS_MAJOR, index); }

    @Override
    public void sessionLeaderExited(Session s) {
        if (s == session) JobControl.leaderExited(terminals.kernel(), this);
    }

    /** The slave can write now (room at the master, output not stopped). */
    boolean slaveWritable() { return !ldisc.outputStopped() && room() > 0; }

    // ---------------------------------------------------------------- window size

    /** TIOCSWINSZ (either end): a change is told to the foreground process group with SIGWINCH. */
    public void setWindowSize(int rows, int cols, int xpixel, int ypixel) {
        if (rows == this.rows && cols == this.cols && xpixel == this.xpixel && ypixel == this.ypixel) return;
        this.rows = rows;
        this.cols = cols;
        this.xpixel = xpixel;
        this.ypixel = ypixel;
        signal(Signals.SIGWINCH);
    }

    // ---------------------------------------------------------------- opening and closing

    void slaveOpened() {
        slaveOpens++;
        slaveClosed = false;
    }

    void slaveReleased() {
        if (--slaveOpens > 0) return;
        slaveClosed = true;
        masterQueue.notify(Events.ALL);
    }

    /** The master's last file closed: the slave hangs up (SIGHUP to its session) and the pair leaves /dev/pts. */
    void masterReleased() {
        hungUp = true;
        JobControl.hangup(terminals.kernel(), this);
        slaveQueue.notify(Events.ALL);
        terminals.remove(this);
    }

    /** The name of the slave's node. */
    String slavePath() { return "/dev/pts/" + index; }
}
