package popek.image;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.GZIPOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

import popek.image.oci.Descriptor;
import popek.image.oci.MediaTypes;

/**
 * Writes one layer: a POSIX (pax) tar, gzip'ed, into a temporary file of the store; {@link #finish} moves it into
 * blobs/ under its digest and returns its descriptor and diff_id (the digest of the tar itself). Names are relative
 * ("etc/passwd", directories with a trailing slash), as docker and buildkit write them; a whiteout is an empty file
 * {@code .wh.NAME}, an opaque directory holds {@code .wh..wh..opq}.
 */
public final class LayerWriter implements AutoCloseable {
    /** A written layer: its blob's descriptor and its diff_id. */
    public record Written(Descriptor descriptor, String diffId) { }

    private final ImageStore store;
    private final Path tmp;
    private final Digests.CountingDigestStream compressed, tar;
    private final TarArchiveOutputStream out;
    private boolean finished;
    private int entries;

    LayerWriter(ImageStore store) throws IOException {
        this.store = store;
        this.tmp = store.newTemp("layer");
        compressed = new Digests.CountingDigestStream(new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16));
        GZIPOutputStream gz = new GZIPOutputStream(compressed, 1 << 16);
        tar = new Digests.CountingDigestStream(gz);
        out = new TarArchiveOutputStream(tar, "UTF-8");
        out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        out.setAddPaxHeadersForNonAsciiNames(true);
    }

    /** How many entries were written so far. */
    public int entries() { return entries; }

    private TarArchiveEntry entry(String name, byte type, int mode, int uid, int gid, long mtimeSeconds) {
        TarArchiveEntry e = new TarArchiveEntry(name, type, true);
        e.setMode(mode & 07777);
        e.setUserId(uid);
        e.setGroupId(gid);
        e.setUserName("");
        e.setGroupName("");
        e.setLastModifiedTime(FileTime.from(Math.max(0, mtimeSeconds), java.util.concurrent.TimeUnit.SECONDS));
        return e;
    }

    public void directory(String name, int mode, int uid, int gid, long mtime) throws IOException {
        TarArchiveEntry e = entry(name.endsWith("/") ? name : name + "/", TarConstants.LF_DIR, mode, uid, gid, mtime);
        put(e, null);
    }

    /** A regular file of {@code size} bytes read from {@code data}. */
    public void file(String name, int mode, int uid, int gid, long mtime, long size, InputStream data) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_NORMAL, mode, uid, gid, mtime);
        e.setSize(size);
        put(e, data);
    }

    public void symlink(String name, String target, int uid, int gid, long mtime) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_SYMLINK, 0777, uid, gid, mtime);
        e.setLinkName(target);
        put(e, null);
    }

    /** A second name of the file written earlier as {@code target}. */
    public void hardlink(String name, String target, int mode, int uid, int gid, long mtime) throws IOException {
        TarArchiveEntry e = entry(name, TarConstants.LF_LINK, mode, uid, gid, mtime);
        e.setLinkName(target);
        put(e, null);
    }

    /** A character or block device or a FIFO ({@code type} is the S_IFMT part of a mode). */
    public void special(String name, int type, int mode, int major, int minor, int uid, int gid, long mtime) throws IOException {
        byte t = switch (type) {
            case 0020000 -> TarConstants.LF_CHR;
            case 0060000 -> TarConstants.LF_BLK;
            case 0010000 -> TarConstants.LF_FIFO;
            default -> throw new IllegalArgumentException("not a special file type: " + Integer.toOctalString(type));
        };
        TarArchiveEntry e = entry(name, t, mode, uid, gid, mtime);
        if (type != 0010000) {
            e.setDevMajor(major);
            e.setDevMinor(minor);
        }
        put(e, null);
    }

    /** An OCI whiteout: {@code path} of a lower layer is removed. */
    public void whiteout(String path, long mtime) throws IOException {
        int slash = path.lastIndexOf('/');
        String name = path.substring(0, slash + 1) + ".wh." + path.substring(slash + 1);
        file(name, 0, 0, 0, mtime, 0, InputStream.nullInputStream());
    }

    private void put(TarArchiveEntry e, InputStream data) throws IOException {
        out.putArchiveEntry(e);
        if (data != null && e.getSize() > 0) {
            long copied = data.transferTo(out);
            if (copied != e.getSize()) throw new IOException(e.getName() + " changed while it was being added (" + copied + " bytes, not " + e.getSize() + ")");
        }
        out.closeArchiveEntry();
        entries++;
    }

    /** Ends the tar, stores the blob and returns what was written. */
    public Written finish() throws IOException {
        out.finish();
        out.close();
        finished = true;
        String diffId = tar.digest();
        String digest = compressed.digest();
        long size = compressed.count();
        store.adoptBlob(tmp, digest);
        return new Written(new Descriptor(MediaTypes.LAYER_GZIP, digest, size), diffId);
    }

    @Override
    public void close() throws IOException {
        if (finished) return;
        try {
            out.close();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

}
