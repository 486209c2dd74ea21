package popek.engine;

/** The native libraries are missing, unloadable, or of a version Popek cannot use. A set-up problem, not a guest event. */
public final class NativeLibraryException extends RuntimeException {
    public NativeLibraryException(String message) { super(message); }
}
