package popek.linux.vfs.cgroupfs;

import popek.cgroup.Cgroup;
import popek.cgroup.ControlFile;
import popek.cgroup.InterfaceFiles;
import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.Caller;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.Inode;
import popek.linux.vfs.Location;
import popek.linux.vfs.StatBuf;

/**
 * One interface file of a cgroup: size 0 in stat (its text is made when read), owned by root with the file's mode.
 * Opening it for a use it lacks (writing a read-only file, reading a write-only one) is EACCES even for root, as
 * kernfs has it.
 */
final class ControlNode extends Inode {
    private final CgroupFs cgroupFs;
    private final Cgroup cgroup;
    private final ControlFile file;

    ControlNode(CgroupFs fs, Cgroup cgroup, ControlFile file) {
        super(fs);
        this.cgroupFs = fs;
        this.cgroup = cgroup;
        this.file = file;
    }

    static long ino(CgroupFs fs, Cgroup cg, ControlFile f) {
        return fs.ino(cg) + 1 + InterfaceFiles.all().indexOf(f) % (CgroupFs.INODES_PER_CGROUP - 1);
    }

    @Override
    public long ino() { return ino(cgroupFs, cgroup, file); }

    @Override
    public int mode() { return FileFlags.S_IFREG | file.mode(); }

    @Override
    public int uid() { return 0; }

    @Override
    public int gid() { return 0; }

    @Override
    public void stat(StatBuf out) {
        out.clear();
        out.dev = fs.dev();
        out.ino = ino();
        out.mode = mode();
        out.nlink = 1;
        out.times(cgroup.createdNanos(), cgroup.createdNanos(), cgroup.createdNanos());
    }

    @Override
    public FileDescription open(Location at, int flags, Caller c) {
        int acc = flags & FileFlags.O_ACCMODE;
        if (acc != FileFlags.O_WRONLY && !file.readable()) throw Errno.error(Errno.EACCES);
        if (acc != FileFlags.O_RDONLY && !file.writable()) throw Errno.error(Errno.EACCES);
        if (cgroup.removed()) throw Errno.error(Errno.ENODEV);
        // A cgroup namespace's root is its owner's to look at, not to change: only the delegatable files take writes.
        boolean nsRoot = cgroup == cgroupFs.cgroups().root() && cgroup.parent() != null;
        return new ControlHandle(at, flags, cgroup, file, cgroupFs.cgroups().kernel(c), nsRoot && !file.delegatable());
    }

    @Override
    public void truncate(long size) { }   // O_TRUNC, as echo's redirection asks
}
