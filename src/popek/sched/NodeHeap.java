package popek.sched;

import java.util.Arrays;

/**
 * A run queue: a binary min-heap of nodes by (vruntime, seq) that keeps each node's index in the node itself, so
 * removing or re-keying a node needs no search and nothing is allocated once the array has grown.
 */
final class NodeHeap {
    private Node[] heap = new Node[8];
    private int size;
    private long nextSeq;

    int size() { return size; }

    boolean isEmpty() { return size == 0; }

    /** The node with the least vruntime, or null. */
    Node peek() { return size == 0 ? null : heap[0]; }

    void add(Node n) {
        if (n.heapIndex >= 0) throw new IllegalStateException("already queued");
        if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
        n.seq = nextSeq++;
        heap[size] = n;
        n.heapIndex = size++;
        up(n.heapIndex);
    }

    void remove(Node n) {
        int i = n.heapIndex;
        if (i < 0) return;
        Node last = heap[--size];
        heap[size] = null;
        n.heapIndex = -1;
        if (i == size) return;
        heap[i] = last;
        last.heapIndex = i;
        if (!up(i)) down(i);
    }

    /** {@code n}'s vruntime changed: restores the order. */
    void update(Node n) {
        int i = n.heapIndex;
        if (i >= 0 && !up(i)) down(i);
    }

    private static boolean less(Node a, Node b) {
        return a.vruntime < b.vruntime || (a.vruntime == b.vruntime && a.seq < b.seq);
    }

    private boolean up(int i) {
        Node n = heap[i];
        int start = i;
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (!less(n, heap[p])) break;
            heap[i] = heap[p];
            heap[i].heapIndex = i;
            i = p;
        }
        heap[i] = n;
        n.heapIndex = i;
        return i != start;
    }

    private void down(int i) {
        Node n = heap[i];
        for (;;) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && less(heap[c + 1], heap[c])) c++;
            if (!less(heap[c], n)) break;
            heap[i] = heap[c];
            heap[i].heapIndex = i;
            i = c;
        }
        heap[i] = n;
        n.heapIndex = i;
    }
}
