package popek.linux.syscalls;

import java.nio.charset.StandardCharsets;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.anon.EventFd;
import popek.linux.vfs.pipe.Pipe;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/** Files with no name: pipe and pipe2, eventfd and eventfd2, memfd_create. */
final class PipeCalls implements SyscallFamily {
    static final int MFD_CLOEXEC = 1, MFD_ALLOW_SEALING = 2;

    @Override
    public void register(SyscallTable t) {
        t.register(PIPE, (task, a) -> pipe(task, u(a.a0), 0));
        t.register(PIPE2, (task, a) -> pipe(task, u(a.a0), a.a1));
        t.register(EVENTFD, (task, a) -> eventfd(task, a.a0, 0));
        t.register(EVENTFD2, (task, a) -> eventfd(task, a.a0, a.a1));
        t.register(MEMFD_CREATE, (task, a) -> memfd(task, a.a0, a.a1));
    }

    private static int pipe(Task t, long at, int flags) {
        if ((flags & ~(FileFlags.O_CLOEXEC | FileFlags.O_NONBLOCK | FileFlags.O_DIRECT)) != 0) return -Errno.EINVAL;
        t.memory().probe(at, 8, true);
        FileDescription[] ends = Pipe.create(t.credentials(), flags);
        boolean cloexec = (flags & FileFlags.O_CLOEXEC) != 0;
        int r = t.fds().install(ends[0], 0, cloexec);
        if (r < 0) {
            ends[0].close();
            ends[1].close();
            return r;
        }
        int w = t.fds().install(ends[1], 0, cloexec);
        if (w < 0) {
            t.fds().close(r);
            ends[1].close();
            return w;
        }
        t.memory().writeInt(at, r);
        t.memory().writeInt(at + 4, w);
        return 0;
    }

    private static int eventfd(Task t, int initial, int flags) {
        if ((flags & ~(FileFlags.O_CLOEXEC | FileFlags.O_NONBLOCK | EventFd.EFD_SEMAPHORE)) != 0) return -Errno.EINVAL;
        FileDescription f = new EventFd(initial & 0xFFFFFFFFL, flags);
        int fd = t.fds().install(f, 0, (flags & FileFlags.O_CLOEXEC) != 0);
        if (fd < 0) f.close();
        return fd;
    }

    private static int memfd(Task t, int nameAddr, int flags) {
        if ((flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING)) != 0) return -Errno.EINVAL;
        byte[] n = t.memory().readBytesZ(u(nameAddr), 249);
        String name = new String(n, StandardCharsets.ISO_8859_1);
        if (name.indexOf('/') >= 0) return -Errno.EINVAL;
        FileDescription f = FileArgs.vfs(t).special().memfd(t, name, flags);
        int fd = t.fds().install(f, 0, (flags & MFD_CLOEXEC) != 0);
        if (fd < 0) f.close();
        return fd;
    }
}
