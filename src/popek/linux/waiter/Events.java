package popek.linux.waiter;

/** poll(2) event bits (asm-generic/poll.h), which wait queues also use to say what happened. */
public final class Events {
    private Events() { }

    public static final int POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20,
            POLLRDNORM = 0x40, POLLRDBAND = 0x80, POLLWRNORM = 0x100, POLLWRBAND = 0x200, POLLRDHUP = 0x2000;
    /** Everything: for waits that any change should end (a child exiting, a futex wake). */
    public static final int ALL = -1;
}
