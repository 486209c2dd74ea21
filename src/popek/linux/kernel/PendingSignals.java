package popek.linux.kernel;

import java.util.ArrayDeque;

import popek.linux.abi.Signals;

/**
 * Signals sent but not yet delivered, to one thread or to a whole process: a set, with one siginfo per standard
 * signal (a second of the same kind merges into the first, as Linux does) and a queue per real-time signal.
 */
public final class PendingSignals {
    private long set;
    private final SigInfo[] standard = new SigInfo[Signals.SIGRTMIN];
    private ArrayDeque<SigInfo>[] realtime;

    public long set() { return set; }

    public boolean has(int sig) { return (set & Signals.bit(sig)) != 0; }

    /** Adds a signal; returns false when it merged into one already pending. */
    @SuppressWarnings("unchecked")
    public boolean add(SigInfo info) {
        int sig = info.signo;
        if (sig < Signals.SIGRTMIN) {
            if (has(sig)) return false;
            if (standard[sig] == null) standard[sig] = new SigInfo();
            standard[sig].set(info);
        } else {
            if (realtime == null) realtime = new ArrayDeque[Signals.NSIG + 1];
            if (realtime[sig] == null) realtime[sig] = new ArrayDeque<>();
            realtime[sig].add(new SigInfo().set(info));
        }
        set |= Signals.bit(sig);
        return true;
    }

    /** Removes {@code sig} and copies its info into {@code into}; false if not pending. */
    public boolean take(int sig, SigInfo into) {
        if (!has(sig)) return false;
        if (sig < Signals.SIGRTMIN) {
            into.set(standard[sig]);
            set &= ~Signals.bit(sig);
        } else {
            into.set(realtime[sig].poll());
            if (realtime[sig].isEmpty()) set &= ~Signals.bit(sig);
        }
        return true;
    }

    /** Discards {@code sig} entirely (SIGCONT discards stops, a new SIG_IGN discards what was pending). */
    public void discard(int sig) {
        set &= ~Signals.bit(sig);
        if (sig >= Signals.SIGRTMIN && realtime != null && realtime[sig] != null) realtime[sig].clear();
    }

    public void clear() {
        for (int s = 1; s <= Signals.NSIG; s++) if (has(s)) discard(s);
    }
}
