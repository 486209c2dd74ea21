package popek.platform;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A file the user named (a kernel, an initrd, a disk), read only after it is known to be a regular file of a size the
 * guest can hold: a device ({@code /dev/zero}) would be read without end, a FIFO with no writer would block the open
 * for ever, and a file larger than guest RAM cannot be loaded anyway, so each is refused with one line before a byte is
 * read. Files beyond a Java array's reach (2 GiB) are refused for the same reason a larger-than-RAM file is: no kernel
 * or initrd Popek can boot is that large.
 */
public final class InputFile {
    /** The largest file read into one array: Java's array limit, rounded down to a page. */
    public static final long MAX_BYTES = Integer.MAX_VALUE & ~0xFFFL;

    private InputFile() { }

    /**
     * The whole of {@code path}, refused with a {@link BootImageException} (message starting with the path) when it is
     * missing, not a regular file, empty, or larger than {@code limit} bytes ({@code limitWhat} says what the limit
     * is, e.g. "guest RAM (64 MiB)"). Interrupting the thread abandons the read ({@link ClosedByInterruptException}).
     */
    public static byte[] read(Path path, String what, long limit, String limitWhat) throws BootImageException, ClosedByInterruptException {
        long size = checkRegular(path, what);
        if (size == 0) throw new BootImageException(path + ": is empty");
        if (size > Math.min(limit, MAX_BYTES)) {
            throw new BootImageException(String.format("%s: is %s, too big for %s", path, MemorySize.format(size),
                    size > limit ? limitWhat : "Popek, which loads files of at most 2 GiB"));
        }
        try (FileChannel f = FileChannel.open(path, StandardOpenOption.READ);
             InputStream in = Channels.newInputStream(f)) {
            // Read at most one byte past the size seen: a file that grew since is refused rather than read without end.
            byte[] data = in.readNBytes((int) size + 1);
            if (data.length != size) throw new BootImageException(path + ": changed size while it was being read");
            return data;
        } catch (ClosedByInterruptException e) {
            throw e;
        } catch (IOException e) {
            throw new BootImageException(path + ": cannot read the " + what + ": " + e.getMessage(), e);
        }
    }

    /** The size of {@code path} if it is a regular file; otherwise a one-line refusal naming what it is instead. */
    public static long checkRegular(Path path, String what) throws BootImageException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new BootImageException(path + ": no such file", e);
        } catch (AccessDeniedException e) {
            throw new BootImageException(path + ": permission denied", e);
        } catch (IOException e) {
            throw new BootImageException(path + ": cannot read the " + what + ": " + e.getMessage(), e);
        }
        if (a.isRegularFile()) {
            if (!Files.isReadable(path)) throw new BootImageException(path + ": permission denied");
            return a.size();
        }
        throw new BootImageException(path + ": is " + kind(path, a) + ", not a regular file");
    }

    private static String kind(Path path, BasicFileAttributes a) {
        if (a.isDirectory()) return "a directory";
        try {
            Object mode = Files.getAttribute(path, "unix:mode");
            if (mode instanceof Integer m) {
                return switch (m & 0xF000) {
                    case 0x1000 -> "a FIFO";
                    case 0x2000 -> "a character device";
                    case 0x6000 -> "a block device";
                    case 0xC000 -> "a socket";
                    default -> "a special file";
                };
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // fall through: the plain answer
        }
        return "a special file";
    }
}
