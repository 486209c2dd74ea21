package popek.cli;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;

import popek.engine.HostTty;

/**
 * Where a booted guest's console or a container's terminal meets the user: the bytes typed for it, the stream its
 * output goes to, and when standard input is a terminal, that terminal ({@code tty}: raw mode and window size for
 * {@code popek run -it}; null otherwise). The command line uses the process's own standard input and output; a caller
 * that runs commands inside a longer-lived JVM (the tests) passes a detached one, so a guest neither reads that JVM's
 * standard input (a test runner's command channel) nor writes past its System.out.
 */
public record Terminal(InputStream in, OutputStream out, HostTty tty) {
    public Terminal(InputStream in, OutputStream out) { this(in, out, null); }

    /**
     * Standard input, and standard output without System.out's PrintStream in between: the guest's bytes go out as
     * they are, and System.out's line-by-line flushing is not paid per character.
     */
    public static Terminal process() { return new Terminal(System.in, new FileOutputStream(FileDescriptor.out), HostTty.of(0)); }

    /** Nothing typed, output discarded. */
    public static Terminal detached() { return new Terminal(InputStream.nullInputStream(), OutputStream.nullOutputStream()); }

    /** Nothing typed, output to {@code out} (a fuzz case keeps it to compare). */
    public static Terminal capturing(OutputStream out) { return new Terminal(InputStream.nullInputStream(), out); }
}
