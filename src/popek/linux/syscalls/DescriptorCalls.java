package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FileLocks;
import popek.linux.vfs.PathFile;
import popek.linux.vfs.StatBuf;
import popek.linux.vfs.VfsFile;
import popek.linux.vfs.pipe.PipeEnd;
import popek.linux.waiter.Events;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/**
 * Descriptors: dup, dup2, dup3; fcntl and fcntl64 (F_DUPFD(_CLOEXEC), F_GETFD/SETFD, F_GETFL/SETFL, record locks
 * with F_GETLK/SETLK/SETLKW and their 64-bit forms, F_GET/SETPIPE_SZ, owner and lease queries); flock; and ioctl's
 * generic requests (FIOCLEX, FIONCLEX, FIONBIO, FIOASYNC), the rest going to the file (FIONREAD, a terminal's).
 */
final class DescriptorCalls implements SyscallFamily {
    static final int F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7,
            F_SETOWN = 8, F_GETOWN = 9, F_SETSIG = 10, F_GETSIG = 11, F_GETLK64 = 12, F_SETLK64 = 13, F_SETLKW64 = 14,
            F_SETOWN_EX = 15, F_GETOWN_EX = 16, F_SETLEASE = 1024, F_GETLEASE = 1025, F_NOTIFY = 1026,
            F_DUPFD_CLOEXEC = 1030, F_ADD_SEALS = 1033, F_GET_SEALS = 1034;
    static final int LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
    static final int FIONREAD = 0x541B, FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451, FIOASYNC = 0x5452;

    @Override
    public void register(SyscallTable t) {
        t.register(DUP, (task, a) -> dup(task, a.a0, 0, false));
        t.register(DUP2, this::dup2);
        t.register(DUP3, this::dup3);
        t.register(FCNTL, (task, a) -> fcntl(task, a.a0, a.a1, a.a2, false));
        t.register(FCNTL64, (task, a) -> fcntl(task, a.a0, a.a1, a.a2, true));
        t.register(FLOCK, (task, a) -> flock(task, a.a0, a.a1));
        t.register(IOCTL, (task, a) -> ioctl(task, a.a0, a.a1, a.a2));
    }

    private static int dup(Task t, int fd, int min, boolean cloexec) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        if (min < 0 || min >= t.fds().limit()) return -Errno.EINVAL;
        f.retain();
        int r = t.fds().install(f, min, cloexec);
        if (r < 0) f.close();
        return r;
    }

    private int dup2(Task t, SyscallArgs a) {
        FileDescription f = t.fds().get(a.a0);
        if (f == null) return -Errno.EBADF;
        if (a.a0 == a.a1) return a.a1;
        return replace(t, f, a.a1, false);
    }

    private int dup3(Task t, SyscallArgs a) {
        if ((a.a2 & ~FileFlags.O_CLOEXEC) != 0) return -Errno.EINVAL;
        FileDescription f = t.fds().get(a.a0);
        if (f == null) return -Errno.EBADF;
        if (a.a0 == a.a1) return -Errno.EINVAL;
        return replace(t, f, a.a1, (a.a2 & FileFlags.O_CLOEXEC) != 0);
    }

    /** Puts {@code f} at {@code fd}, closing what was there (and its record locks, as a close would). */
    private static int replace(Task t, FileDescription f, int fd, boolean cloexec) {
        FileDescription old = t.fds().get(fd);
        if (old != null) OpenCalls.releaseLocks(t, old);
        f.retain();
        int r = t.fds().installAt(fd, f, cloexec);
        if (r < 0) f.close();
        return r;
    }

    private static int fcntl(Task t, int fd, int cmd, int arg, boolean wide) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        boolean path = f instanceof PathFile;
        switch (cmd) {
            case F_DUPFD -> { return dup(t, fd, arg, false); }
            case F_DUPFD_CLOEXEC -> { return dup(t, fd, arg, true); }
            case F_GETFD -> { return t.fds().closeOnExec(fd) ? 1 : 0; }
            case F_SETFD -> {
                t.fds().setCloseOnExec(fd, (arg & 1) != 0);
                return 0;
            }
            case F_GETFL -> { return f.flags(); }
            case F_SETFL -> {
                if (path) return -Errno.EBADF;
                f.setFlags(arg);
                return 0;
            }
            case F_GETLK, F_SETLK, F_SETLKW -> { return path ? -Errno.EBADF : lock(t, f, cmd, u(arg), false); }
            case F_GETLK64, F_SETLK64, F_SETLKW64 -> {
                if (!wide) return -Errno.EINVAL;
                return path ? -Errno.EBADF : lock(t, f, cmd - (F_GETLK64 - F_GETLK), u(arg), true);
            }
            case F_GETOWN, F_GETSIG -> { return 0; }
            case F_SETOWN, F_SETSIG -> { return 0; }
            case F_GETLEASE -> { return FileLocks.F_UNLCK; }
            case PipeEnd.F_GETPIPE_SZ, PipeEnd.F_SETPIPE_SZ -> {
                return f instanceof PipeEnd p ? p.pipeSize(cmd, arg) : -Errno.EBADF;
            }
            default -> { return -Errno.EINVAL; }
        }
    }

    /**
     * F_GETLK, F_SETLK and F_SETLKW on struct flock {short type, whence; off_t start, len; pid_t pid} or, with
     * {@code wide}, struct flock64 {short type, whence; loff_t start, len; pid_t pid} (packed to 4 bytes on i386).
     */
    private static int lock(Task t, FileDescription f, int cmd, long at, boolean wide) {
        if (!(f instanceof VfsFile v)) return -Errno.EINVAL;
        UserMemory m = t.memory();
        int type = m.readShort(at), whence = m.readShort(at + 2);
        long start = wide ? m.readLong(at + 4) : m.readInt(at + 4);
        long len = wide ? m.readLong(at + 12) : m.readInt(at + 8);
        long base = switch (whence) {
            case FileFlags.SEEK_SET -> 0;
            case FileFlags.SEEK_CUR -> Math.max(0, f.seek(t, 0, FileFlags.SEEK_CUR));
            case FileFlags.SEEK_END -> {
                StatBuf s = new StatBuf();
                f.stat(t, s);
                yield s.size;
            }
            default -> -1;
        };
        if (base < 0 || (type != FileLocks.F_RDLCK && type != FileLocks.F_WRLCK && type != FileLocks.F_UNLCK)) return -Errno.EINVAL;
        long s = base + start, e;
        if (len > 0) e = s + len - 1;
        else if (len == 0) e = Long.MAX_VALUE;
        else {
            e = s - 1;
            s += len;
        }
        if (s < 0) return -Errno.EINVAL;
        FileLocks locks = v.inode().locks();
        var special = FileArgs.vfs(t).special();
        if (cmd == F_GETLK) {
            if (type == FileLocks.F_UNLCK) return -Errno.EINVAL;
            FileLocks.Range r = locks.conflict(t.tgid(), type, s, e, special::processAlive);
            if (r == null) {
                m.writeShort(at, (short) FileLocks.F_UNLCK);
                return 0;
            }
            m.writeShort(at, (short) r.type());
            m.writeShort(at + 2, (short) FileFlags.SEEK_SET);
            var holder = t.kernel().pids().threadGroup(r.pid());   // the holder as the caller's pid namespace numbers it
            int pid = holder == null ? r.pid() : holder.tgid(t.pidNamespace());
            long rlen = r.end() == Long.MAX_VALUE ? 0 : r.end() - r.start() + 1;
            if (wide) {
                m.writeLong(at + 4, r.start());
                m.writeLong(at + 12, rlen);
                m.writeInt(at + 20, pid);
            } else {
                if (r.start() > Integer.MAX_VALUE || rlen > Integer.MAX_VALUE) return -Errno.EOVERFLOW;
                m.writeInt(at + 4, (int) r.start());
                m.writeInt(at + 8, (int) rlen);
                m.writeInt(at + 12, pid);
            }
            return 0;
        }
        if (type == FileLocks.F_RDLCK && !f.readable()) return -Errno.EBADF;
        if (type == FileLocks.F_WRLCK && !f.writable()) return -Errno.EBADF;
        popek.linux.vfs.RecordLocks waits = FileArgs.vfs(t).recordLocks();
        if (locks.set(t.tgid(), type, s, e, special::processAlive)) {
            waits.done(t.tgid());
            if (type != FileLocks.F_UNLCK) waits.holding(locks);
            return 0;
        }
        if (cmd == F_SETLK) return -Errno.EAGAIN;
        FileLocks.Range holder = locks.conflict(t.tgid(), type, s, e, special::processAlive);
        if (holder != null && waits.wouldDeadlock(t.tgid(), holder.pid())) {
            waits.done(t.tgid());
            return -Errno.EDEADLK;
        }
        if (t.signalPending()) {
            waits.done(t.tgid());
            return -Errno.ERESTARTSYS;
        }
        if (holder != null) waits.waiting(t.tgid(), holder.pid());
        return t.block(locks.queue(), Events.ALL);
    }

    private static int flock(Task t, int fd, int op) {
        FileDescription f = FileArgs.file(t, fd);
        boolean nb = (op & LOCK_NB) != 0;
        int what = op & ~LOCK_NB;
        if (what != LOCK_SH && what != LOCK_EX && what != LOCK_UN) return -Errno.EINVAL;
        if (f instanceof PathFile) return -Errno.EBADF;
        if (!(f instanceof VfsFile v)) return 0;   // a pipe's own inode: nobody else can name it to contend
        FileLocks locks = v.inode().locks();
        if (what == LOCK_UN) {
            locks.releaseFlock(f);
            return 0;
        }
        if (locks.flock(f, what == LOCK_EX)) return 0;
        if (nb) return -Errno.EAGAIN;
        if (t.signalPending()) return -Errno.ERESTARTSYS;
        return t.block(locks.queue(), Events.ALL);
    }

    private static int ioctl(Task t, int fd, int cmd, int arg) {
        FileDescription f = t.fds().get(fd);
        if (f == null) return -Errno.EBADF;
        switch (cmd) {
            case FIOCLEX, FIONCLEX -> {
                t.fds().setCloseOnExec(fd, cmd == FIOCLEX);
                return 0;
            }
            case FIONBIO, FIOASYNC -> {
                if (f instanceof PathFile) return -Errno.EBADF;
                boolean on = t.memory().readInt(u(arg)) != 0;
                int bit = cmd == FIONBIO ? FileFlags.O_NONBLOCK : FileFlags.O_ASYNC;
                f.setFlags(on ? f.flags() | bit : f.flags() & ~bit);
                return 0;
            }
            default -> { return f.ioctl(t, cmd, arg); }
        }
    }
}
