package popek.linux.waiter;

/** Something waiting on one or more {@link WaitQueue}s: a task blocked in a system call. */
public interface Waiter {
    /** One of the queues it waits on saw {@code events} (a subset of what it asked for). */
    void wake(int events);
}
