package popek.linux.kernel;

import java.util.concurrent.ThreadLocalRandom;

import popek.engine.RegisterFile;
import popek.linux.abi.FileFlags;
import popek.linux.abi.SyscallException;
import popek.linux.loader.AuxInfo;
import popek.linux.loader.ProgramLoader;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.UserMemory;
import popek.linux.vfs.FileDescription;

/**
 * execve for a task: the loader prepares the new program (every error returned while the old one is intact), then the
 * process is made over: other threads killed, a fresh address space, close-on-exec descriptors closed, caught signals
 * reset, the CPU state reset and pointed at the new entry.
 */
final class Exec {
    private final Kernel kernel;

    Exec(Kernel kernel) { this.kernel = kernel; }

    /** Opens a file to execute: a regular file with an execute bit the caller may use (EACCES otherwise). */
    ProgramLoader.Opener opener(Task t) {
        return path -> {
            FileDescription f = kernel.vfs().open(t.fs, t.fs.cwd(), path, FileFlags.O_RDONLY, 0, t.creds);
            popek.linux.vfs.StatBuf st = new popek.linux.vfs.StatBuf();
            f.stat(t, st);
            boolean ok = (st.mode & FileFlags.S_IFMT) == FileFlags.S_IFREG && executable(st, t);
            if (!ok) {
                f.close();
                throw popek.linux.abi.Errno.error(popek.linux.abi.Errno.EACCES);
            }
            return f;
        };
    }

    private static boolean executable(popek.linux.vfs.StatBuf st, Task t) {
        var c = t.creds;
        if (c.overridesFiles(st.uid, st.gid)) return (st.mode & 0111) != 0;
        if (st.uid == c.fsuid()) return (st.mode & 0100) != 0;
        if (c.inGroup(st.gid)) return (st.mode & 0010) != 0;
        return (st.mode & 0001) != 0;
    }

    /** execve(path, argv, envp) for the running task {@code t}: returns -errno, or {@link Syscall#NO_RESULT} on success. */
    int execve(Task t, String path, byte[][] argv, byte[][] envp) {
        ProgramLoader.Prepared p = ProgramLoader.prepare(opener(t), path, argv);
        MemoryManager mm = kernel.newMemoryManager(t.group.cgroup);   // ENOMEM while the old program is intact
        // The point of no return.
        kernel.processes().killOtherThreads(t);
        MemoryManager old = t.mm;
        UserMemory mem = new UserMemory(mm);
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        ProgramLoader.Image image;
        try {
            image = ProgramLoader.load(p, mm, mem, envp, new AuxInfo(t.creds.userNs().uidSeen(t.creds.uid()), t.creds.userNs().uidSeen(t.creds.euid()),
                    t.creds.userNs().gidSeen(t.creds.gid()), t.creds.userNs().gidSeen(t.creds.egid()),
                    Kernel.HWCAP, false, random));
        } catch (SyscallException e) {
            mm.release();
            kernel.processes().crash(t, "execve of " + path + " ran out of memory");
            return Syscall.NO_RESULT;
        }
        kernel.mapTrampoline(mm);
        t.mm = mm;
        t.mem = mem;
        if (old != null) kernel.releaseMm(old);
        java.util.Arrays.fill(t.tls, 0);
        t.fds.closeOnExec();
        t.handlers = t.handlers.copy();   // no longer shared with a vfork parent or old threads
        t.handlers.resetForExec();
        t.setAltStack(0, 0, popek.linux.abi.Signals.SS_DISABLE);
        t.clearChildTid = 0;
        t.robustList = 0;
        String base = p.path().substring(p.path().lastIndexOf('/') + 1);
        t.setName(base);
        ThreadGroup g = t.group;
        g.executable = p.path();
        g.argv = p.argv();
        g.envp = envp;
        t.creds = t.creds.afterExec();
        kernel.stats().execs++;
        kernel.processes().execed(t);
        if (t.cpu != null) start(t, image);
        else startSaved(t, image);
        return Syscall.NO_RESULT;
    }

    /** The CPU reset to a new program's state (registers zero, FPU initialised), on the new entry and stack. */
    private void start(Task t, ProgramLoader.Image image) {
        var cpu = t.cpu;
        cpu.engine().restore(kernel.initialState());
        cpu.setCr3(t.mm.cr3());
        cpu.loadTls(t.tls);
        RegisterFile r = cpu.regs();
        r.set(RegisterFile.ESP, (int) image.stackPointer());
        r.setEip((int) image.entry());
    }

    /** The same, for a task not on a CPU (the first process): its saved state. */
    private void startSaved(Task t, ProgramLoader.Image image) {
        t.state.copyFrom(kernel.initialState());
        t.state.set(RegisterFile.ESP, (int) image.stackPointer());
        t.state.setEip((int) image.entry());
    }
}
