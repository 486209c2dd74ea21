package popek.sched;

import java.util.Arrays;

/** Blocked entities with a time to be woken at, soonest first: a binary heap indexed through each entity. */
final class WakeTimers {
    private Entity[] heap = new Entity[8];
    private int size;

    boolean isEmpty() { return size == 0; }

    /** The soonest wake-up time, or MAX_VALUE. */
    long next() { return size == 0 ? Long.MAX_VALUE : heap[0].wakeAt; }

    /** Takes the soonest entity if it is due at {@code now}, else null. */
    Entity pollDue(long now) {
        if (size == 0 || heap[0].wakeAt > now) return null;
        Entity e = heap[0];
        remove(e);
        return e;
    }

    void add(Entity e) {
        if (e.timerIndex >= 0) remove(e);
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        heap[size] = e;
        e.timerIndex = size++;
        up(e.timerIndex);
    }

    void remove(Entity e) {
        int i = e.timerIndex;
        if (i < 0) return;
        Entity last = heap[--size];
        heap[size] = null;
        e.timerIndex = -1;
        if (i == size) return;
        heap[i] = last;
        last.timerIndex = i;
        up(i);
        down(last.timerIndex);
    }

    private void up(int i) {
        Entity e = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (heap[p].wakeAt <= e.wakeAt) break;
            heap[i] = heap[p];
            heap[i].timerIndex = i;
            i = p;
        }
        heap[i] = e;
        e.timerIndex = i;
    }

    private void down(int i) {
        Entity e = heap[i];
        for (;;) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && heap[c + 1].wakeAt < heap[c].wakeAt) c++;
            if (heap[c].wakeAt >= e.wakeAt) break;
            heap[i] = heap[c];
            heap[i].timerIndex = i;
            i = c;
        }
        heap[i] = e;
        e.timerIndex = i;
    }
}
