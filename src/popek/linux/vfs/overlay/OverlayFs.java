package popek.linux.vfs.overlay;

import java.util.List;

import popek.linux.vfs.FileSystem;
import popek.linux.vfs.Inode;
import popek.linux.vfs.StatFs;
import popek.linux.vfs.tmpfs.TmpFs;

/**
 * A container's root (Linux's overlayfs, the layout Docker's overlay2 gives): read-only lower layers, the top one
 * first, under a writable upper layer private to the container. Lookups find a name in the upper layer, else in the
 * highest lower layer that has it; directories merge their layers' entries. A change to a lower file first copies it
 * up (contents, mode, owner, times, and its inode number); a removal of a lower name leaves a whiteout in the upper
 * layer, and a directory made where a lower one was removed is opaque. Whiteouts and opaque markers follow the OCI
 * image layout's convention ({@code .wh.NAME}, {@code .wh..wh..opq}), in lower layers as in the upper one, so the
 * upper layer is itself a layer that can be saved as it is.
 *
 * <p>The upper layer is a {@link TmpFs}, in memory: a container's writes must keep owners, modes, device nodes and
 * hard links exactly as the program made them, which a host directory could hold only if Popek ran as root; each
 * container starts its own, so two containers on one image see only their own writes; and nothing is left on the
 * host when a container ends or is killed. It is bounded like a tmpfs (ENOSPC when full).
 */
public final class OverlayFs extends FileSystem {
    public static final long MAGIC = 0x794c7630L;
    public static final String WHITEOUT = ".wh.", OPAQUE = ".wh..wh..opq";

    final TmpFs upper;
    private final OverlayInode root;
    private final List<Inode> lowerRoots;

    /** An overlay of {@code lowerRoots} (the roots of the lower layers, the top one first) under {@code upper}. */
    public OverlayFs(int dev, TmpFs upper, List<Inode> lowerRoots) {
        super("overlay", dev);
        this.upper = upper;
        this.lowerRoots = List.copyOf(lowerRoots);
        this.root = new OverlayInode(this, null, "/", upper.root(), List.copyOf(lowerRoots));
    }

    @Override
    public OverlayInode root() { return root; }

    /** The upper layer (what a container changed: issue 14 saves it as a layer). */
    public TmpFs upper() { return upper; }

    @Override
    public void statfs(StatFs out) {
        upper.statfs(out);
        out.type = MAGIC;
    }

    @Override
    public void close() {
        upper.close();
        for (Inode l : lowerRoots) l.fs().close();
    }
}
