package popek.platform;

/**
 * A kernel image that cannot be booted: not a bootable format, malformed, or not fitting the guest. The message is
 * one line, starts with the image's file name and names the problem, so the command line can print it as it is.
 */
public final class BootImageException extends Exception {
    @java.io.Serial private static final long serialVersionUID = 1L;

    public BootImageException(String message) { super(message); }

    public BootImageException(String message, Throwable cause) { super(message, cause); }
}
