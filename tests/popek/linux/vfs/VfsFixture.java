package popek.linux.vfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.FileFlags;
import popek.linux.abi.SyscallException;
import popek.linux.auth.Credentials;
import popek.linux.mm.FaultCounters;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.PageCache;
import popek.linux.mm.PagePool;
import popek.linux.mm.UserBuffer;
import popek.linux.mm.UserMemory;
import popek.linux.mm.Vma;
import popek.linux.vfs.setup.ContainerFiles;

/**
 * A container's files over host layer directories, driven without a CPU: a caller with some user memory for reads and
 * writes, its root, working directory and umask, and helpers that return Linux's errno instead of throwing.
 */
final class VfsFixture implements AutoCloseable, Caller {
    final ContainerFiles files;
    final VirtualFilesystem vfs;
    final FsContext fs;
    Credentials creds = Credentials.ROOT;
    private final PagePool pool = new PagePool(4L << 20);
    private final UserMemory memory;
    private final long buffer;
    private final UserBuffer io = new UserBuffer();

    VfsFixture(List<Path> layers) {
        files = new ContainerFiles(layers);
        vfs = files.vfs();
        fs = new FsContext(vfs.root(), vfs.root(), 022);
        MemoryManager mm = new MemoryManager(pool, new PageCache(pool, 16), new FaultCounters(), pool.allocate());
        buffer = mm.map(0, 1 << 20, Vma.PROT_READ | Vma.PROT_WRITE, 0, false, null, 0, "");
        memory = new UserMemory(mm);
    }

    @Override
    public Credentials credentials() { return creds; }

    @Override
    public UserMemory memory() { return memory; }

    @Override
    public int pid() { return 1; }

    /** -errno of a failing action, or 0. */
    static int errno(Runnable r) {
        try {
            r.run();
            return 0;
        } catch (SyscallException e) {
            return e.errno();
        }
    }

    FileDescription open(String path, int flags, int mode) { return vfs.open(this, fs, fs.cwd(), path, flags, mode & ~fs.umask()); }

    String read(String path) {
        FileDescription f = open(path, FileFlags.O_RDONLY, 0);
        try {
            return read(f);
        } finally {
            f.close();
        }
    }

    String read(FileDescription f) {
        StringBuilder s = new StringBuilder();
        for (;;) {
            int n = f.read(this, io.set(memory, buffer, 65536));
            if (n < 0) throw popek.linux.abi.Errno.error(-n);
            if (n == 0) return s.toString();
            byte[] b = new byte[n];
            memory.read(buffer, b, 0, n);
            s.append(new String(b, StandardCharsets.ISO_8859_1));
        }
    }

    int write(FileDescription f, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        memory.write(buffer, b, 0, b.length);
        return f.write(this, io.set(memory, buffer, b.length));
    }

    void writeFile(String path, String text) {
        FileDescription f = open(path, FileFlags.O_WRONLY | FileFlags.O_CREAT | FileFlags.O_TRUNC, 0644);
        try {
            write(f, text);
        } finally {
            f.close();
        }
    }

    StatBuf stat(String path, boolean follow) {
        StatBuf s = new StatBuf();
        vfs.stat(fs, fs.cwd(), path, follow, creds, s);
        return s;
    }

    /** The names getdents gives for a directory, "." and ".." left out. */
    List<String> list(String path) {
        FileDescription f = open(path, FileFlags.O_RDONLY | FileFlags.O_DIRECTORY, 0);
        List<String> names = new ArrayList<>();
        try {
            while (f.getdents(this, (ino, next, type, name) -> {
                if (!name.equals(".") && !name.equals("..")) names.add(name);
                return true;
            }) > 0) {
                // until the end
            }
        } finally {
            f.close();
        }
        return names;
    }

    void mkdir(String path, int mode) { vfs.tree().mkdir(this, fs, fs.cwd(), path, mode & ~fs.umask()); }

    void symlink(String target, String path) { vfs.tree().symlink(this, fs, fs.cwd(), target, path); }

    void unlink(String path) { vfs.tree().unlink(this, fs, fs.cwd(), path); }

    void rmdir(String path) { vfs.tree().rmdir(this, fs, fs.cwd(), path); }

    void rename(String from, String to, int flags) { vfs.tree().rename(this, fs, fs.cwd(), from, fs.cwd(), to, flags); }

    void attrs(String path, int mode) { vfs.attributes().chmod(creds, vfs.lookup(this, fs, fs.cwd(), path, true), mode); }

    void chdir(String path) { fs.setCwd(vfs.directory(this, fs, fs.cwd(), path)); }

    @Override
    public void close() {
        files.close();
        pool.close();
    }

    /** Removes the host tree at {@code p} (links first, so JUnit's cleanup never meets one pointing outside). */
    static void removeTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    /** Writes {@code text} to host file {@code p}, making its directories. */
    static void hostFile(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }
}
