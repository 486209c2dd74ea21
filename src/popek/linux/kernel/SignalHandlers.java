package popek.linux.kernel;

import popek.linux.abi.Signals;

/** A process's signal actions (Linux's sighand_struct), shared by threads (CLONE_SIGHAND) and copied by fork. */
public final class SignalHandlers {
    private final SigAction[] actions = new SigAction[Signals.NSIG + 1];

    public SignalHandlers() {
        for (int i = 1; i <= Signals.NSIG; i++) actions[i] = new SigAction();
    }

    public SigAction get(int sig) { return actions[sig]; }

    public SignalHandlers copy() {
        SignalHandlers h = new SignalHandlers();
        for (int i = 1; i <= Signals.NSIG; i++) h.actions[i].set(actions[i]);
        return h;
    }

    /** execve: caught signals go back to their default action; ignored ones stay ignored. */
    public void resetForExec() {
        for (int i = 1; i <= Signals.NSIG; i++) {
            SigAction a = actions[i];
            if (!a.isIgnore()) a.handler = Signals.SIG_DFL;
            a.flags = 0;
            a.mask = 0;
            a.restorer = 0;
        }
    }

    /** True when {@code sig} delivered now would be discarded (ignored, or default-ignore). */
    public boolean ignores(int sig) {
        SigAction a = actions[sig];
        return a.isIgnore() || (a.isDefault() && Signals.defaultAction(sig) == Signals.Default.IGNORE);
    }
}
