package popek.linux.vfs.proc;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import popek.linux.abi.FileFlags;
import popek.linux.vfs.DirectoryFile;
import popek.linux.vfs.Inode;

/** A directory of /proc: its names and its children made on demand, never cached (processes come and go). */
final class ProcDir extends ProcNode {
    private final Supplier<List<String>> names;
    private final Function<String, Inode> child;

    ProcDir(ProcFs proc, String key, int mode, int uid, int gid, Supplier<List<String>> names, Function<String, Inode> child) {
        super(proc, key, FileFlags.S_IFDIR | mode, uid, gid);
        this.names = names;
        this.child = child;
    }

    @Override
    public boolean cacheable() { return false; }

    @Override
    public Inode lookup(String name) { return child.apply(name); }

    @Override
    public void list(List<Entry> out) {
        for (String n : names.get()) {
            Inode c = child.apply(n);
            if (c != null) out.add(new Entry(n, c.ino(), DirectoryFile.direntType(c.mode())));
        }
    }
}
