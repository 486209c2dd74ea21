package popek.image;

/** What the image store cannot do for the user: a one-line reason (no such image, a damaged blob, a full disk). */
public final class StoreException extends Exception {
    public StoreException(String message) { super(message); }

    public StoreException(String message, Throwable cause) { super(message, cause); }
}
