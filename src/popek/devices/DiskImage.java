package popek.devices;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw disk image file, read and written in 512-byte sectors in place: what the guest writes reaches the file as it
 * wrote it (and is forced to the storage device on {@link #flush} and {@link #close}); nothing else of the file is
 * ever touched. A trailing partial sector is not part of the disk.
 */
public final class DiskImage implements AutoCloseable {
    public static final int SECTOR = 512;

    private final Path path;
    private final FileChannel file;
    private final boolean readOnly;
    private final long sectors;
    private final ByteBuffer io = ByteBuffer.allocateDirect(SECTOR);
    private boolean dirty;

    private DiskImage(Path path, FileChannel file, boolean readOnly, long sectors) {
        this.path = path;
        this.file = file;
        this.readOnly = readOnly;
        this.sectors = sectors;
    }

    /** Opens {@code path}; throws IOException with a message fit for the user when it cannot be a disk. */
    public static DiskImage open(Path path, boolean readOnly) throws IOException {
        if (!Files.exists(path)) throw new IOException(path + ": no such file");
        if (!Files.isRegularFile(path)) throw new IOException(path + ": not a regular file");
        if (!readOnly && !Files.isWritable(path)) throw new IOException(path + ": not writable (add ,readonly to use it read-only)");
        FileChannel f = readOnly ? FileChannel.open(path, StandardOpenOption.READ)
                : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long sectors = f.size() / SECTOR;
        if (sectors == 0) {
            f.close();
            throw new IOException(path + ": smaller than one 512-byte sector");
        }
        return new DiskImage(path, f, readOnly, sectors);
    }

    public long sectors() { return sectors; }

    public boolean readOnly() { return readOnly; }

    /** Reads sector {@code lba} into {@code into[0, 512)}. */
    public void read(long lba, byte[] into) {
        check(lba);
        io.clear();
        try {
            long at = lba * SECTOR;
            while (io.hasRemaining()) {
                if (file.read(io, at + io.position()) < 0) throw new IOException("unexpected end of " + path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        io.flip();
        io.get(into, 0, SECTOR);
    }

    /** Writes {@code from[0, 512)} to sector {@code lba}. */
    public void write(long lba, byte[] from) {
        if (readOnly) throw new IllegalStateException(path + " is read-only");
        check(lba);
        io.clear();
        io.put(from, 0, SECTOR).flip();
        try {
            long at = lba * SECTOR;
            while (io.hasRemaining()) file.write(io, at + io.position());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dirty = true;
    }

    /**
     * Reads {@code count} sectors from {@code lba} into {@code into}, from its position on (a multi-sector transfer
     * in one call: the PV block ring's requests are up to 64 KiB). The buffer's position ends past the data.
     */
    public void read(long lba, int count, ByteBuffer into) {
        checkRange(lba, count);
        into.limit(into.position() + count * SECTOR);
        try {
            long at = lba * SECTOR - into.position();
            while (into.hasRemaining()) {
                if (file.read(into, at + into.position()) < 0) throw new IOException("unexpected end of " + path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code count} sectors at {@code lba} from {@code from}, from its position on. */
    public void write(long lba, int count, ByteBuffer from) {
        if (readOnly) throw new IllegalStateException(path + " is read-only");
        checkRange(lba, count);
        from.limit(from.position() + count * SECTOR);
        try {
            long at = lba * SECTOR - from.position();
            while (from.hasRemaining()) file.write(from, at + from.position());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dirty = true;
    }

    private void checkRange(long lba, int count) {
        if (count < 0 || lba < 0 || lba > sectors - count) throw new IllegalArgumentException("sectors " + lba + "+" + count + " of " + sectors);
    }

    private void check(long lba) {
        if (lba < 0 || lba >= sectors) throw new IllegalArgumentException("sector " + lba + " of " + sectors);
    }

    /** Forces what was written to the storage device (the guest's FLUSH CACHE, and exit). */
    public void flush() {
        if (!dirty) return;
        try {
            file.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dirty = false;
    }

    @Override
    public void close() throws IOException {
        try {
            flush();
        } finally {
            file.close();
        }
    }
}
