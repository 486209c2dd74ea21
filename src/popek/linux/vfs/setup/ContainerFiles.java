package popek.linux.vfs.setup;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.FileFlags;
import popek.linux.vfs.Caller;
import popek.linux.vfs.DeviceNumbers;
import popek.linux.vfs.DirEntry;
import popek.linux.vfs.FileDescription;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.FsContext;
import popek.linux.vfs.Inode;
import popek.linux.vfs.InodeNumbers;
import popek.linux.vfs.Location;
import popek.linux.vfs.Mount;
import popek.linux.vfs.MountNamespace;
import popek.linux.vfs.PathWalker;
import popek.linux.vfs.SpecialFiles;
import popek.linux.vfs.VirtualFilesystem;
import popek.linux.vfs.dev.DevPts;
import popek.linux.vfs.dev.DeviceRegistry;
import popek.linux.vfs.dev.MemoryDevices;
import popek.linux.vfs.nsfs.NsFs;
import popek.linux.ns.Namespace;
import popek.linux.vfs.host.HostLayer;
import popek.linux.vfs.overlay.OverlayFs;
import popek.linux.vfs.pipe.Fifos;
import popek.linux.vfs.proc.ProcFs;
import popek.linux.vfs.proc.ProcSource;
import popek.linux.vfs.cgroupfs.CgroupFs;
import popek.linux.vfs.cgroupfs.CgroupSource;
import popek.linux.vfs.sysfs.SysFs;
import popek.linux.vfs.tmpfs.MemDirectory;
import popek.linux.vfs.tmpfs.TmpFs;
import popek.linux.waiter.WaitQueue;

/**
 * A container's files, assembled as Docker lays them out: the image's layers (host directories, the top one first)
 * under a private upper layer in memory as the root, /proc, a /dev tmpfs with the standard nodes and links, /dev/pts,
 * /dev/shm, tmpfs /tmp and /run, a read-only /sys and the container's cgroups at /sys/fs/cgroup; the device registry
 * (memory devices registered), FIFOs, and mount(2)'s file system types. The kernel's view of its processes and
 * cgroups is attached once the kernel exists ({@link #attach}, {@link #attachCgroups}).
 */
public final class ContainerFiles implements SpecialFiles, AutoCloseable {
    /** Sizes: the upper layer and /tmp take at most this much (as Docker's overlay2 on a disk of that size). */
    public static final long UPPER_SIZE = 1L << 30, DEV_SIZE = 64L << 20, RUN_SIZE = 64L << 20;

    private final DeviceNumbers devs = new DeviceNumbers(30);
    private final InodeNumbers rootNumbers = new InodeNumbers(2);
    private final DeviceRegistry devices = new DeviceRegistry();
    private final Fifos fifos = new Fifos(this::processAlive);
    private final DelegatingProcSource proc = new DelegatingProcSource();
    private final DelegatingCgroupSource cgroups = new DelegatingCgroupSource();
    private final OverlayFs root;
    private final MountNamespace namespace;
    private final VirtualFilesystem vfs;
    private final DevPts pts;
    private final NsFs nsfs;
    private Location anonymous;
    private final boolean buildStep;
    /** The mount points this made in the upper layer because the image lacked them (not the container's changes). */
    private final List<String> madeMountPoints = new ArrayList<>();
    /** The file systems mount(2) made, closed with the container whether still mounted or not. */
    private final List<FileSystem> made = new ArrayList<>();

    /** The files of a container over {@code layers} (image layer directories, the top one first). */
    public ContainerFiles(List<Path> layers) { this(layers, false); }

    /**
     * The files of a container over {@code layers}; for a build step ({@code buildStep}: popek build's RUN) without
     * the tmpfs on /tmp and /run, as Docker's builder has none there (what a step writes in them stays in its layer).
     */
    public ContainerFiles(List<Path> layers, boolean buildStep) {
        this.buildStep = buildStep;
        List<Inode> lowers = new ArrayList<>();
        for (Path p : layers) lowers.add(new HostLayer(p, devs.anonymous(), rootNumbers).root());
        int rootDev = devs.anonymous();
        TmpFs upper = new TmpFs(rootDev, rootNumbers, UPPER_SIZE, 0755, "", true);
        root = new OverlayFs(rootDev, upper, lowers);
        namespace = new MountNamespace(root, 0);
        vfs = new VirtualFilesystem(namespace, this);
        MemoryDevices.register(devices);
        pts = new DevPts(devs.anonymous());
        nsfs = new NsFs(devs.anonymous());
        mountStandard();
    }

    private void mountStandard() {
        mount("/proc", newProc(proc), Mount.MS_NOSUID | Mount.MS_NODEV | Mount.MS_NOEXEC);
        TmpFs dev = new TmpFs(devs.anonymous(), new InodeNumbers(1), DEV_SIZE, 0755, "size=65536k,mode=755");
        populateDev(dev.root());
        mount("/dev", dev, Mount.MS_NOSUID);
        mount("/dev/pts", pts, Mount.MS_NOSUID | Mount.MS_NOEXEC);
        mount("/dev/shm", new TmpFs(devs.anonymous(), new InodeNumbers(1), DEV_SIZE, 01777, "size=65536k"),
                Mount.MS_NOSUID | Mount.MS_NODEV | Mount.MS_NOEXEC);
        if (!buildStep) {
            mount("/tmp", new TmpFs(devs.anonymous(), new InodeNumbers(1), UPPER_SIZE, 01777, ""), Mount.MS_NOSUID | Mount.MS_NODEV);
            mount("/run", new TmpFs(devs.anonymous(), new InodeNumbers(1), RUN_SIZE, 0755, "size=65536k,mode=755"),
                    Mount.MS_NOSUID | Mount.MS_NODEV);
        }
        mount("/sys", new SysFs(devs.anonymous()), Mount.MS_RDONLY | Mount.MS_NOSUID | Mount.MS_NODEV | Mount.MS_NOEXEC);
        // Read-write, unlike Docker's default: a container may make and manage cgroups below its own.
        mount("/sys/fs/cgroup", new CgroupFs(devs.anonymous(), cgroups), Mount.MS_NOSUID | Mount.MS_NODEV | Mount.MS_NOEXEC);
    }

    private ProcFs newProc(ProcSource source) {
        return new ProcFs(devs.anonymous(), source, new ProcFs.Resolver() {
            @Override
            public Location resolve(FsContext fs, String path) {
                return vfs.lookup(popek.linux.vfs.Callers.root(), fs, fs.cwd(), path, true);
            }

            @Override
            public Location namespaceFile(Namespace ns) { return nsfs.place(ns); }
        });
    }

    /**
     * Mounts {@code fs} at {@code path}, making the directory (in the upper layer, as Docker makes mount points in the
     * container's layer) when the image lacks it.
     */
    private void mount(String path, FileSystem fs, int flags) {
        Location at = namespace.root();
        StringBuilder walked = new StringBuilder();
        for (String name : path.substring(1).split("/")) {
            walked.append('/').append(name);
            Location next = PathWalker.child(at, name);
            if (next == null) {
                Inode made = at.inode().mkdir(name, 0755, 0, 0);
                if (at.mount() == namespace.root().mount()) madeMountPoints.add(walked.toString());
                next = new Location(at.mount(), at.entry().added(name, made));
            } else if (!next.inode().isDirectory()) {
                throw new IllegalStateException("the image's " + path + " is not a directory");
            }
            at = next;
        }
        namespace.mount(at, fs, new DirEntry(fs.root()), flags);
    }

    /** /dev as Docker makes it: the memory devices, tty, console, ptmx, the fd and std* links, pts and shm. */
    private static void populateDev(MemDirectory d) {
        int chr = FileFlags.S_IFCHR;
        d.create("null", chr | 0666, DeviceNumbers.makedev(1, MemoryDevices.NULL), 0, 0);
        d.create("zero", chr | 0666, DeviceNumbers.makedev(1, MemoryDevices.ZERO), 0, 0);
        d.create("full", chr | 0666, DeviceNumbers.makedev(1, MemoryDevices.FULL), 0, 0);
        d.create("random", chr | 0666, DeviceNumbers.makedev(1, MemoryDevices.RANDOM), 0, 0);
        d.create("urandom", chr | 0666, DeviceNumbers.makedev(1, MemoryDevices.URANDOM), 0, 0);
        d.create("tty", chr | 0666, DeviceNumbers.makedev(DeviceRegistry.TTYAUX_MAJOR, 0), 0, 0);
        d.create("console", chr | 0620, DeviceNumbers.makedev(DeviceRegistry.TTYAUX_MAJOR, 1), 0, DevPts.TTY_GID);
        d.symlink("ptmx", "pts/ptmx", 0, 0);
        d.symlink("fd", "/proc/self/fd", 0, 0);
        d.symlink("stdin", "/proc/self/fd/0", 0, 0);
        d.symlink("stdout", "/proc/self/fd/1", 0, 0);
        d.symlink("stderr", "/proc/self/fd/2", 0, 0);
        d.symlink("core", "/proc/kcore", 0, 0);
        d.mkdir("pts", 0755, 0, 0);
        d.mkdir("shm", 01777, 0, 0);
        d.mkdir("mqueue", 01777, 0, 0);
    }

    // ---------------------------------------------------------------- parts

    public VirtualFilesystem vfs() { return vfs; }

    /** The character device drivers, by number (the terminal package registers into it). */
    public DeviceRegistry devices() { return devices; }

    /** /dev/pts (the terminal package adds and removes pseudo-terminal nodes). */
    public DevPts pts() { return pts; }

    /** The root file system (its upper layer holds what the container changed). */
    public OverlayFs root() { return root; }

    /** The directories made in the root's upper layer to mount on, which are no change of the container's ("/proc"). */
    public List<String> madeMountPoints() { return List.copyOf(madeMountPoints); }

    /** Gives /proc the kernel's view of its processes, once the kernel exists. */
    public void attach(ProcSource source) { proc.target = source; }

    /** Gives /sys/fs/cgroup (and cgroup2 mounts) the kernel's cgroups, once the kernel exists. */
    public void attachCgroups(CgroupSource source) { cgroups.target = source; }

    @Override
    public synchronized void close() {
        for (Mount m : namespace.mounts()) m.fs().close();
        for (FileSystem fs : made) fs.close();
        if (anonymous != null) anonymous.mount().fs().close();
    }

    // ---------------------------------------------------------------- SpecialFiles

    @Override
    public FileDescription openFifo(Caller c, Location at, int flags) { return fifos.open(c, at, flags); }

    @Override
    public FileDescription openDevice(Caller c, Location at, int flags) { return devices.open(c, at, flags); }

    @Override
    public WaitQueue pendingOpen(Caller c) { return fifos.pendingQueue(c); }

    @Override
    public void cancelOpen(Caller c) { fifos.cancel(c); }

    @Override
    public synchronized FileDescription memfd(Caller c, String name, int flags) {
        if (anonymous == null) {
            TmpFs fs = new TmpFs(devs.anonymous(), new InodeNumbers(1), UPPER_SIZE, 01777, "");
            anonymous = new MountNamespace(fs, 0).root();
        }
        MemDirectory dir = (MemDirectory) anonymous.inode();
        String entry = "memfd:" + name;
        while (dir.lookup(entry) != null) entry = entry + "_";   // names need not be unique; entries must
        Inode file = dir.create(entry, FileFlags.S_IFREG | 0777, 0, c.credentials().fsuid(), c.credentials().fsgid());
        Location at = new Location(anonymous.mount(), anonymous.entry().added(entry, file));
        FileDescription f = new popek.linux.vfs.RegularFile(at, file.openData(FileFlags.O_RDWR), FileFlags.O_RDWR | FileFlags.O_LARGEFILE);
        dir.unlink(entry, file);
        anonymous.entry().forget(entry);
        return f;
    }

    @Override
    public synchronized FileSystem newFileSystem(Caller c, String type, String source, String options) {
        FileSystem fs = switch (type) {
            case "tmpfs" -> new TmpFs(devs.anonymous(), new InodeNumbers(1), tmpfsSize(options), 01777, options == null ? "" : options);
            case "proc" -> newProc(proc.viewFor(c));
            case "devpts" -> new DevPts(devs.anonymous());
            case "cgroup2" -> new CgroupFs(devs.anonymous(), cgroups);
            case "sysfs" -> new SysFs(devs.anonymous());
            default -> throw Errno.error(Errno.ENODEV);
        };
        made.add(fs);
        return fs;
    }

    /** tmpfs's size= option (k, m, g suffixes), else half of the upper layer's size. */
    private static long tmpfsSize(String options) {
        if (options != null) {
            for (String o : options.split(",")) {
                if (!o.startsWith("size=")) continue;
                String v = o.substring(5).toLowerCase();
                long mul = 1;
                if (v.endsWith("k")) mul = 1L << 10;
                else if (v.endsWith("m")) mul = 1L << 20;
                else if (v.endsWith("g")) mul = 1L << 30;
                if (mul != 1) v = v.substring(0, v.length() - 1);
                try {
                    return Long.parseLong(v) * mul;
                } catch (NumberFormatException e) {
                    throw Errno.error(Errno.EINVAL);
                }
            }
        }
        return UPPER_SIZE / 2;
    }

    @Override
    public void processExited(int pid) { fifos.processExited(pid); }

    @Override
    public boolean processAlive(int pid) {
        ProcSource s = proc.target;
        return s == null || s.process(pid) != null;
    }
}
