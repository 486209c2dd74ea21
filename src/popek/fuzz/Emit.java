package popek.fuzz;

/**
 * What a piece emits into: the code (an {@link Asm} at {@link Layout#CODE}), the case's memory image (for data it
 * sets up), and an allocator of data-region space for its operands (far pointers, table pointers, scratch words).
 */
final class Emit {
    final Asm a;
    final Image image;
    private int nextData = ALLOC_START;

    /** Allocations come after the area random loads and stores use. */
    static final int ALLOC_START = Layout.DATA + 0x8000, ALLOC_END = Layout.DATA + 0xB000;

    Emit(Asm a, Image image) {
        this.a = a;
        this.image = image;
    }

    /** {@code bytes} of data-region space, 8-aligned; wraps (reusing space) rather than running out. */
    int alloc(int bytes) {
        if (nextData + bytes > ALLOC_END) nextData = ALLOC_START;
        int at = nextData;
        nextData = (nextData + bytes + 7) & ~7;
        return at;
    }

    /** A 6-byte far pointer (offset, selector) or pseudo-descriptor (limit, base) in the data region. */
    int farPointer(int offset, int selector) {
        int at = alloc(6);
        image.put32(at, offset);
        image.put16(at + 4, selector);
        return at;
    }

    int pseudoDescriptor(int limit, int base) {
        int at = alloc(6);
        image.put16(at, limit);
        image.put32(at + 2, base);
        return at;
    }
}
