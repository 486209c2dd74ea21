package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.abi.Signals;
import popek.linux.kernel.SigInfo;
import popek.linux.kernel.Task;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.FileDescription;
import popek.linux.waiter.Events;
import popek.linux.waiter.WaitQueue;

/**
 * The blocking part of read and write, shared by every call that moves bytes through a file: a file answers -EAGAIN
 * when it cannot proceed, and unless it is non-blocking the task sleeps on the file's wait queue and the call is made
 * again. A write remembers how much it already wrote (a pipe write larger than the pipe), and a write to a pipe with
 * no reader sends SIGPIPE. (For the VFS's file calls to use as well.)
 */
public final class FileIo {
    private FileIo() { }

    /** read(2) (or pread with {@code offset} >= 0) into {@code dst}. */
    public static int read(Task t, FileDescription f, UserBuffer dst, long offset) {
        if (!f.readable()) return -Errno.EBADF;
        if (dst.remaining() == 0) return 0;
        int r = offset >= 0 ? f.pread(t, dst, offset) : f.read(t, dst);
        if (r != -Errno.EAGAIN || f.nonBlocking()) return r;
        WaitQueue q = f.waitQueue();
        if (q == null) return r;
        if (t.signalPending()) return -Errno.ERESTARTSYS;
        return t.block(q, Events.POLLIN | Events.POLLHUP | Events.POLLERR | Events.POLLRDNORM);
    }

    /** write(2) (or pwrite with {@code offset} >= 0) from {@code src}. */
    public static int write(Task t, FileDescription f, UserBuffer src, long offset) {
        if (!f.writable()) return -Errno.EBADF;
        int done = t.progress();
        src.skip(done);
        if (src.remaining() == 0) return done;
        for (;;) {
            int r = offset >= 0 ? f.pwrite(t, src, offset + done) : f.write(t, src);
            if (r > 0) {
                done += r;
                if (src.remaining() == 0 || t.fatalSignalPending()) return done;   // a dying writer stops, as in Linux
                continue;
            }
            if (r == -Errno.EAGAIN && !f.nonBlocking() && f.waitQueue() != null) {
                if (t.signalPending()) return done > 0 ? done : -Errno.ERESTARTSYS;
                t.setProgress(done);
                return t.block(f.waitQueue(), Events.POLLOUT | Events.POLLERR | Events.POLLHUP | Events.POLLWRNORM);
            }
            if (r == -Errno.EPIPE) sigpipe(t);
            return done > 0 ? done : r;
        }
    }

    /** Writing to a pipe nobody reads: SIGPIPE for the writing thread (the call also fails with EPIPE). */
    public static void sigpipe(Task t) {
        SigInfo info = new SigInfo();
        info.signo = Signals.SIGPIPE;
        info.code = Signals.SI_USER;
        info.pid = t.tgid();
        t.kernel().signals().sendToTask(t, info);
    }
}
