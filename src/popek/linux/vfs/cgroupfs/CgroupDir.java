package popek.linux.vfs.cgroupfs;

import java.util.List;

import popek.cgroup.Cgroup;
import popek.cgroup.ControlFile;
import popek.cgroup.InterfaceFiles;
import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.DirectoryFile;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatBuf;

/**
 * A cgroup's directory: its interface files and its children. mkdir makes a child cgroup (EAGAIN past
 * cgroup.max.descendants or max.depth), rmdir removes one (EBUSY while it has live tasks or children); files cannot
 * be made, linked or removed (EACCES, EPERM), as in Linux's cgroupfs.
 */
final class CgroupDir extends Inode {
    private final CgroupFs cgroupFs;
    /** The cgroup, or null for the mount's root: the source's root, looked up when used (it is known only once the kernel is). */
    private final Cgroup fixed;

    CgroupDir(CgroupFs fs, Cgroup cgroup) {
        super(fs);
        this.cgroupFs = fs;
        this.fixed = cgroup;
    }

    Cgroup cgroup() { return fixed != null ? fixed : cgroupFs.cgroups().root(); }

    private Cgroup live() {
        Cgroup cg = cgroup();
        if (cg.removed()) throw Errno.error(Errno.ENOENT);
        return cg;
    }

    @Override
    public long ino() { return cgroupFs.ino(cgroup()); }

    @Override
    public int mode() { return FileFlags.S_IFDIR | 0755; }

    @Override
    public int uid() { return 0; }

    @Override
    public int gid() { return 0; }

    @Override
    public void stat(StatBuf out) {
        Cgroup cg = cgroup();
        out.clear();
        out.dev = fs.dev();
        out.ino = ino();
        out.mode = mode();
        out.nlink = 2 + cg.children().size();
        out.times(cg.createdNanos(), cg.createdNanos(), cg.createdNanos());
    }

    @Override
    public boolean cacheable() { return false; }

    @Override
    public Inode lookup(String name) {
        Cgroup cg = cgroup();
        if (cg.removed()) return null;
        Cgroup child = cg.child(name);
        if (child != null) return new CgroupDir(cgroupFs, child);
        List<ControlFile> files = InterfaceFiles.of(cg);
        for (int i = 0; i < files.size(); i++) {
            if (files.get(i).name().equals(name)) return new ControlNode(cgroupFs, cg, files.get(i));
        }
        return null;
    }

    @Override
    public void list(List<Entry> out) {
        Cgroup cg = cgroup();
        if (cg.removed()) return;
        for (ControlFile f : InterfaceFiles.of(cg)) {
            out.add(new Entry(f.name(), ControlNode.ino(cgroupFs, cg, f), DirectoryFile.direntType(FileFlags.S_IFREG)));
        }
        for (Cgroup c : cg.children()) out.add(new Entry(c.name(), cgroupFs.ino(c), DirectoryFile.direntType(FileFlags.S_IFDIR)));
    }

    @Override
    public Inode mkdir(String name, int mode, int uid, int gid) { return new CgroupDir(cgroupFs, InterfaceFiles.mkdir(live(), name)); }

    @Override
    public void rmdir(String name, Inode child) { InterfaceFiles.rmdir(live(), name); }

    @Override
    public Inode create(String name, int mode, int rdev, int uid, int gid) { throw Errno.error(Errno.EACCES); }

    @Override
    public Inode symlink(String name, String target, int uid, int gid) { throw Errno.error(Errno.EPERM); }

    @Override
    public void link(String name, Inode target) { throw Errno.error(Errno.EPERM); }

    @Override
    public void unlink(String name, Inode child) { throw Errno.error(Errno.EPERM); }

    @Override
    public void rename(String oldName, Inode child, Inode newDir, String newName, Inode replaced) { throw Errno.error(Errno.EPERM); }
}
