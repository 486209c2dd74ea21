package popek.linux.waiter;

import java.util.Arrays;

/**
 * The waiters of one event source (a pipe's readers, a child's parent, a futex word), each with the events it wants,
 * as gVisor's waiter.Queue. A blocked task adds itself, the source calls {@link #notify} when something happens,
 * and the task removes itself from every queue once woken. Thread-safe: a host thread may notify (terminal input).
 */
public final class WaitQueue {
    private Waiter[] waiters = new Waiter[4];
    private int[] masks = new int[4];
    private int count;

    public synchronized void add(Waiter w, int mask) {
        for (int i = 0; i < count; i++) {
            if (waiters[i] == w) {
                masks[i] |= mask;
                return;
            }
        }
        if (count == waiters.length) {
            waiters = Arrays.copyOf(waiters, count * 2);
            masks = Arrays.copyOf(masks, count * 2);
        }
        waiters[count] = w;
        masks[count++] = mask;
    }

    public synchronized void remove(Waiter w) {
        for (int i = 0; i < count; i++) {
            if (waiters[i] == w) {
                count--;
                waiters[i] = waiters[count];
                masks[i] = masks[count];
                waiters[count] = null;
                return;
            }
        }
    }

    /**
     * Wakes every waiter that wants any of {@code events}, outside the queue's lock. The usual single waiter costs no
     * allocation (a blocked read or write wakes one task on every step of a pipeline).
     */
    public void notify(int events) {
        Waiter first = null;
        Waiter[] more = null;
        int n = 0;
        synchronized (this) {
            if (count == 0) return;
            for (int i = 0; i < count; i++) {
                if ((masks[i] & events) == 0) continue;
                if (first == null) {
                    first = waiters[i];
                } else {
                    if (more == null) more = new Waiter[count];
                    more[n++] = waiters[i];
                }
            }
        }
        if (first != null) first.wake(events);
        for (int i = 0; i < n; i++) more[i].wake(events);
    }

    public synchronized boolean isEmpty() { return count == 0; }
}
