package popek.linux.syscalls;

import popek.linux.abi.Errno;
import popek.linux.kernel.SyscallArgs;
import popek.linux.kernel.SyscallFamily;
import popek.linux.kernel.SyscallTable;
import popek.linux.kernel.Task;
import popek.linux.mm.AnonymousShared;
import popek.linux.mm.Mappable;
import popek.linux.mm.Vma;
import popek.linux.vfs.FileDescription;

import static popek.linux.abi.SyscallNumbers.*;
import static popek.linux.kernel.SyscallArgs.u;

/** Address spaces: brk, the mmap family (anonymous and file, private and shared), munmap, mprotect, mremap, madvise. */
final class MemoryCalls implements SyscallFamily {
    static final int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_TYPE = 0xF, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
            MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000, MAP_NORESERVE = 0x4000,
            MAP_POPULATE = 0x8000, MAP_FIXED_NOREPLACE = 0x100000, MAP_STACK = 0x20000;
    static final int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;

    @Override
    public void register(SyscallTable t) {
        t.register(BRK, (task, a) -> (int) task.mm().setBrk(u(a.a0)));
        t.register(MMAP2, (task, a) -> mmap(task, u(a.a0), u(a.a1), a.a2, a.a3, a.a4, u(a.a5) << 12));
        t.register(MMAP, this::oldMmap);
        t.register(MUNMAP, (task, a) -> task.mm().unmap(u(a.a0), u(a.a1)));
        t.register(MPROTECT, (task, a) -> mprotect(task, u(a.a0), u(a.a1), a.a2));
        t.register(MREMAP, this::mremap);
        t.register(MADVISE, (task, a) -> (a.a0 & 0xFFF) != 0 ? -Errno.EINVAL : 0);
        t.register(MSYNC, (task, a) -> (a.a0 & 0xFFF) != 0 ? -Errno.EINVAL : 0);
        t.register(MLOCK, (task, a) -> 0);
        t.register(MUNLOCK, (task, a) -> 0);
        t.register(MLOCKALL, (task, a) -> 0);
        t.register(MUNLOCKALL, (task, a) -> 0);
        t.register(MINCORE, this::mincore);
    }

    /** The old mmap: one pointer to {addr, len, prot, flags, fd, offset}. */
    private int oldMmap(Task t, SyscallArgs a) {
        var m = t.memory();
        long p = u(a.a0);
        int off = m.readInt(p + 20);
        if ((off & 0xFFF) != 0) return -Errno.EINVAL;
        return mmap(t, u(m.readInt(p)), u(m.readInt(p + 4)), m.readInt(p + 8), m.readInt(p + 12), m.readInt(p + 16), u(off));
    }

    static int mmap(Task t, long addr, long len, int prot, int flags, int fd, long offset) {
        if (len == 0) return -Errno.EINVAL;
        int type = flags & MAP_TYPE;
        if (type != MAP_SHARED && type != MAP_PRIVATE && type != 3 /* MAP_SHARED_VALIDATE */) return -Errno.EINVAL;
        boolean fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) != 0;
        if (fixed && (addr & 0xFFF) != 0) return -Errno.EINVAL;
        if ((flags & MAP_FIXED_NOREPLACE) != 0) {
            for (long p = addr; p < addr + len; p += 4096) if (t.mm().find(p) != null) return -Errno.EEXIST;
        }
        int vprot = prot & (Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC);
        int vflags = (type != MAP_PRIVATE ? Vma.SHARED : 0) | ((flags & MAP_GROWSDOWN) != 0 ? Vma.GROWSDOWN : 0);
        Mappable backing = null;
        if ((flags & MAP_ANONYMOUS) != 0) {
            offset = 0;   // ignored for anonymous memory, as Linux ignores it
            if (type != MAP_PRIVATE) backing = new AnonymousShared(t.mm().pool(), len);
        } else {
            FileDescription f = t.fds().get(fd);
            if (f == null) return -Errno.EBADF;
            backing = f.mappable();
            if (backing == null) return -Errno.ENODEV;
            if (!f.readable()) return -Errno.EACCES;
            if (type != MAP_PRIVATE && (prot & Vma.PROT_WRITE) != 0 && !f.writable()) return -Errno.EACCES;
            if ((offset & 0xFFF) != 0) return -Errno.EINVAL;
        }
        long r = t.mm().map(addr, len, vprot, vflags, fixed, backing, offset, null);
        if (r < 0) return (int) r;
        return (int) r;
    }

    private static int mprotect(Task t, long addr, long len, int prot) {
        if ((prot & ~(Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC | 0x01000000 | 0x02000000)) != 0) return -Errno.EINVAL;
        return t.mm().protect(addr, len, prot & 7);
    }

    /** mremap(old, oldSize, newSize, flags, newAddr): shrink in place, grow in place when free, else move. */
    private int mremap(Task t, SyscallArgs a) {
        long old = u(a.a0), oldSize = (u(a.a1) + 0xFFF) & ~0xFFFL, newSize = (u(a.a2) + 0xFFF) & ~0xFFFL;
        int flags = a.a3;
        if ((old & 0xFFF) != 0 || newSize == 0 || (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED)) != 0) return -Errno.EINVAL;
        if ((flags & MREMAP_FIXED) != 0) return -Errno.EINVAL;   // not needed by the programs served so far
        long r = t.mm().remap(old, oldSize, newSize, (flags & MREMAP_MAYMOVE) != 0);
        return (int) r;
    }

    private int mincore(Task t, SyscallArgs a) {
        long addr = u(a.a0), len = u(a.a1);
        if ((addr & 0xFFF) != 0) return -Errno.EINVAL;
        var m = t.memory();
        for (long p = addr, i = 0; p < addr + len; p += 4096, i++) {
            if (t.mm().find(p) == null) return -Errno.ENOMEM;
            m.writeByte(u(a.a2) + i, (byte) 1);
        }
        return 0;
    }
}
