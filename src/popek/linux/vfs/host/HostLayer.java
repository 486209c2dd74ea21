package popek.linux.vfs.host;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.vfs.FileSystem;
import popek.linux.vfs.InodeNumbers;
import popek.linux.vfs.StatFs;

/**
 * A host directory holding one layer of an image, shown read-only (every change fails with EROFS). It is reached only
 * through Java NIO, name by name from the directory's own listing, never following a host symbolic link (links are
 * read as text and resolved by the VFS inside the container's root), so nothing outside the directory can be named.
 * Files owned by the host user running Popek appear as root's, as in a user namespace mapping that user to 0.
 */
public final class HostLayer extends FileSystem {
    private final Path dir;
    private final InodeNumbers numbers;
    private final int hostUid, hostGid;
    private final HostInode root;
    private final List<FileChannel> channels = new ArrayList<>();

    public HostLayer(Path dir, int dev, InodeNumbers numbers) {
        super("hostlayer", dev);
        this.dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.dir, LinkOption.NOFOLLOW_LINKS)) throw new IllegalArgumentException("not a directory: " + dir);
        this.numbers = numbers;
        int[] ids = hostIds();
        this.hostUid = ids[0];
        this.hostGid = ids[1];
        this.root = new HostInode(this, this.dir);
    }

    /** The uid and gid of the user running Popek (the owner of /proc/self). */
    private static int[] hostIds() {
        try {
            Path self = Path.of("/proc/self");
            return new int[] {(Integer) Files.getAttribute(self, "unix:uid"), (Integer) Files.getAttribute(self, "unix:gid")};
        } catch (IOException | RuntimeException e) {
            return new int[] {0, 0};
        }
    }

    @Override
    public HostInode root() { return root; }

    public Path directory() { return dir; }

    @Override
    public boolean readOnly() { return true; }

    int mapUid(int uid) { return uid == hostUid ? 0 : uid; }

    int mapGid(int gid) { return gid == hostGid ? 0 : gid; }

    long number(Object fileKey) { return numbers.forHost(fileKey); }

    /** Keeps a channel to close when the container ends (mmap reads a file after its descriptor is closed). */
    synchronized void keep(FileChannel c) { channels.add(c); }

    @Override
    public synchronized void close() {
        for (FileChannel c : channels) {
            try {
                c.close();
            } catch (IOException ignored) {
                // the container is gone: nothing is waiting for this
            }
        }
        channels.clear();
    }

    @Override
    public void statfs(StatFs out) {
        out.type = 0xEF53;   // as the host's ext4 would say
        out.blockSize = 4096;
        try {
            var store = Files.getFileStore(dir);
            out.blocks = store.getTotalSpace() / 4096;
            out.blocksFree = store.getUnallocatedSpace() / 4096;
            out.blocksAvailable = store.getUsableSpace() / 4096;
        } catch (IOException e) {
            throw Errno.error(Errno.EIO);
        }
        out.files = 1 << 20;
        out.filesFree = 1 << 19;
    }
}
