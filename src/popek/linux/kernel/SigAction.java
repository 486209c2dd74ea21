package popek.linux.kernel;

import popek.linux.abi.Signals;

/** What a process does with one signal (struct k_sigaction): a handler address or SIG_DFL/SIG_IGN, flags, mask, restorer. */
public final class SigAction {
    public int handler = Signals.SIG_DFL;
    public int flags;
    public int restorer;
    public long mask;

    SigAction copy() {
        SigAction a = new SigAction();
        a.set(this);
        return a;
    }

    void set(SigAction o) {
        handler = o.handler;
        flags = o.flags;
        restorer = o.restorer;
        mask = o.mask;
    }

    public boolean isDefault() { return handler == Signals.SIG_DFL; }

    public boolean isIgnore() { return handler == Signals.SIG_IGN; }
}
