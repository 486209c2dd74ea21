package popek.linux.kernel;

/**
 * A pending signal's siginfo (the fields i386 Linux fills for the kinds Popek sends): who sent it, why, and for faults
 * the address; for SIGCHLD the child's pid, status and times.
 */
public final class SigInfo {
    public int signo, errno, code;
    /** kill/tkill/SIGCHLD: the sender's or child's pid and uid. */
    public int pid, uid;
    /** SIGCHLD: exit status or signal. */
    public int status;
    /** Faults: the address (si_addr). */
    public int addr;
    /** rt_sigqueueinfo / timers: the value. */
    public int value;
    /** SIGCHLD: user and system time in clock ticks. */
    public int utime, stime;

    public SigInfo set(SigInfo o) {
        signo = o.signo;
        errno = o.errno;
        code = o.code;
        pid = o.pid;
        uid = o.uid;
        status = o.status;
        addr = o.addr;
        value = o.value;
        utime = o.utime;
        stime = o.stime;
        return this;
    }

    public SigInfo clear() {
        signo = errno = code = pid = uid = status = addr = value = utime = stime = 0;
        return this;
    }
}
