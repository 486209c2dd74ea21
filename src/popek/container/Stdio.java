package popek.container;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.Supplier;

/**
 * The host side of a container's standard streams (the process's own, or a test's), and for {@code -t} the host
 * terminal's window size as {rows, columns} ({@code windowSize} null, or answering null: not known).
 */
public record Stdio(InputStream in, OutputStream out, OutputStream err, Supplier<int[]> windowSize) {
    public Stdio(InputStream in, OutputStream out, OutputStream err) { this(in, out, err, null); }

    /** The host process's standard input, output and error, unbuffered. */
    public static Stdio process() {
        return new Stdio(System.in, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
    }
}
