package popek.linux.kernel;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;

import popek.linux.abi.Errno;
import popek.linux.mm.Vma;

/**
 * Futex wait queues (kernel/futex): tasks sleeping on a 32-bit word until another task wakes that word. A word is
 * known by its address space and address when it is private to a process, and by its physical address when it lies in
 * memory that processes share, so a wake reaches waiters in other processes mapping the same page.
 */
public final class Futexes {
    private final HashMap<Long, ArrayDeque<Task>> queues = new HashMap<>();

    /** The key of {@code addr} for {@code t}: its address space's id and the address, or the physical address. */
    private static long key(Task t, long addr, boolean privateFlag) {
        if (!privateFlag) {
            Vma v = t.mm.find(addr);
            if (v != null && (v.shared() || v.file() instanceof popek.linux.mm.AnonymousShared)) {
                return (1L << 62) | t.mm.physicalAddress(addr);
            }
        }
        return ((long) t.mm.id() << 32) | addr;
    }

    /**
     * FUTEX_WAIT(_BITSET): sleeps while the word at {@code addr} holds {@code expected}, until woken (0), the deadline
     * (-ETIMEDOUT), or a signal (restart). -EAGAIN if the word differs at once.
     */
    public int wait(Task t, long addr, int expected, int bitset, boolean privateFlag) {
        if ((addr & 3) != 0) return -Errno.EINVAL;
        if (bitset == 0) return -Errno.EINVAL;
        if (t.resumed()) {
            if (t.futexWoken) return 0;
            dequeue(t);
            if (t.timedOut()) return -Errno.ETIMEDOUT;
            if (t.signalPending()) return -Errno.ERESTARTSYS;
        }
        if (t.mem.readInt(addr) != expected) return -Errno.EAGAIN;
        if (t.deadline() != Long.MAX_VALUE && t.kernel.clock().monotonic() >= t.deadline()) return -Errno.ETIMEDOUT;
        long k = key(t, addr, privateFlag);
        t.futexKey = k;
        t.futexBitset = bitset;
        t.futexWoken = false;
        queues.computeIfAbsent(k, x -> new ArrayDeque<>()).add(t);
        return t.sleep();
    }

    private void dequeue(Task t) {
        ArrayDeque<Task> q = queues.get(t.futexKey);
        if (q == null) return;
        q.remove(t);
        if (q.isEmpty()) queues.remove(t.futexKey);
    }

    /** FUTEX_WAKE(_BITSET): wakes up to {@code n} waiters whose bitset meets {@code bitset}; returns how many. */
    public int wake(Task t, long addr, int n, int bitset, boolean privateFlag) {
        if ((addr & 3) != 0) return -Errno.EINVAL;
        if (bitset == 0) return -Errno.EINVAL;
        long k = key(t, addr, privateFlag);
        ArrayDeque<Task> q = queues.get(k);
        if (q == null) return 0;
        int woken = 0;
        for (Iterator<Task> it = q.iterator(); it.hasNext() && woken < n; ) {
            Task w = it.next();
            if ((w.futexBitset & bitset) == 0) continue;
            it.remove();
            w.futexWoken = true;
            t.kernel.scheduler().wake(w);
            woken++;
        }
        if (q.isEmpty()) queues.remove(k);
        return woken;
    }

    /**
     * FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes {@code n} waiters of {@code addr} and moves up to {@code moveMax} more to
     * {@code addr2}; with {@code check}, only while the word still holds {@code expected} (else -EAGAIN).
     */
    public int requeue(Task t, long addr, int n, int moveMax, long addr2, boolean check, int expected, boolean privateFlag) {
        if ((addr & 3) != 0 || (addr2 & 3) != 0) return -Errno.EINVAL;
        if (check && t.mem.readInt(addr) != expected) return -Errno.EAGAIN;
        int woken = wake(t, addr, n, -1, privateFlag);
        long k = key(t, addr, privateFlag), k2 = key(t, addr2, privateFlag);
        ArrayDeque<Task> q = queues.get(k);
        int moved = 0;
        if (q != null && k != k2) {
            ArrayDeque<Task> q2 = queues.computeIfAbsent(k2, x -> new ArrayDeque<>());
            while (!q.isEmpty() && moved < moveMax) {
                Task w = q.poll();
                w.futexKey = k2;
                q2.add(w);
                moved++;
            }
            if (q.isEmpty()) queues.remove(k);
            if (q2.isEmpty()) queues.remove(k2);
        }
        return woken + (check ? moved : 0);
    }

    /** A task that leaves while waiting (killed) is taken off its queue. */
    void forget(Task t) {
        if (!t.futexWoken && t.futexKey != 0) dequeue(t);
    }
}
