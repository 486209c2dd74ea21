package popek.container;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

/** The host side of a container's standard streams (the process's own, or a test's). */
public record Stdio(InputStream in, OutputStream out, OutputStream err) {
    /** The host process's standard input, output and error, unbuffered. */
    public static Stdio process() {
        return new Stdio(System.in, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err));
    }
}
