package popek.engine;

/** A Unicorn call failed; the message carries {@code uc_strerror}'s text. */
public final class UnicornException extends RuntimeException {
    private final int code;

    public UnicornException(String call, int code, String text) {
        super(call + ": " + text + " (uc_err " + code + ")");
        this.code = code;
    }

    public int code() { return code; }
}
