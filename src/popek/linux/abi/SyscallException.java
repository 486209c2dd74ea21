package popek.linux.abi;

/**
 * A system call failing with an errno, thrown from deep inside a call (a bad user pointer, a missing path) and turned
 * into the call's {@code -errno} result by the dispatcher. One instance per errno, made once, with no stack trace:
 * throwing it allocates nothing.
 */
public final class SyscallException extends RuntimeException {
    private final int errno;

    SyscallException(int errno) {
        super(null, null, false, false);
        this.errno = errno;
    }

    public int errno() { return errno; }

    @Override
    public String getMessage() { return Errno.name(errno); }
}
