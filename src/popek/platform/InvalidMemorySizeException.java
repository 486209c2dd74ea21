package popek.platform;

/** A {@code --memory} value Popek cannot use; the message is one line, ready to print. */
public final class InvalidMemorySizeException extends Exception {
    @java.io.Serial private static final long serialVersionUID = 1L;

    public InvalidMemorySizeException(String message) { super(message); }
}
