package popek.linux.vfs.overlay;

import popek.linux.abi.FileFlags;
import popek.linux.mm.Mappable;
import popek.linux.mm.UserBuffer;
import popek.linux.vfs.FileData;

/**
 * A lower file opened for reading: it reads the lower layer until the file is copied up (another open for writing,
 * a chmod), then the upper copy, so every open file of it sees the same contents (overlayfs's "ro/rw" promise).
 */
final class OverlayData implements FileData {
    private final OverlayInode node;
    private FileData lower, upper;

    OverlayData(OverlayInode node) { this.node = node; }

    private synchronized FileData current() {
        if (node.upper() != null) {
            if (upper == null) upper = node.upper().openData(FileFlags.O_RDONLY);
            return upper;
        }
        if (lower == null) lower = node.lowest().openData(FileFlags.O_RDONLY);
        return lower;
    }

    @Override
    public int read(long offset, UserBuffer dst) { return current().read(offset, dst); }

    @Override
    public int readBytes(long offset, byte[] dst, int off, int len) { return current().readBytes(offset, dst, off, len); }

    @Override
    public long size() { return current().size(); }

    @Override
    public Mappable mappable() { return current().mappable(); }

    @Override
    public synchronized void close() {
        if (lower != null) lower.close();
        if (upper != null) upper.close();
    }
}
