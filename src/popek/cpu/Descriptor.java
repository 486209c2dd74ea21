package popek.cpu;

/** Decoding of an 8-byte x86 segment or gate descriptor held in a long (low dword first, as in memory). */
final class Descriptor {
    private Descriptor() { }

    static int low(long d) { return (int) d; }

    static int high(long d) { return (int) (d >>> 32); }

    static boolean present(long d) { return (high(d) & (1 << 15)) != 0; }

    static int dpl(long d) { return (high(d) >>> 13) & 3; }

    /** The 5-bit type field including the S bit (bit 4: 1 for code/data, 0 for system descriptors and gates). */
    static int type(long d) { return (high(d) >>> 8) & 0x1F; }

    static boolean isCode(long d) { return (type(d) & 0x18) == 0x18; }

    static boolean isWritableData(long d) { return (type(d) & 0x1A) == 0x12; }

    /** A code segment that may be read (or any data segment): type bit 1 is R for code, W for data. */
    static boolean readable(long d) { return !isCode(d) || (type(d) & 2) != 0; }

    static boolean conforming(long d) { return isCode(d) && (type(d) & 4) != 0; }

    static int base(long d) {
        int hi = high(d);
        return (low(d) >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
    }

    /** The limit in bytes (granularity applied). */
    static int limit(long d) {
        int raw = (low(d) & 0xFFFF) | (high(d) & 0xF0000);
        return (high(d) & (1 << 23)) != 0 ? (raw << 12) | 0xFFF : raw;
    }

    /** A gate's target offset and selector. */
    static int gateOffset(long d) { return (low(d) & 0xFFFF) | (high(d) & 0xFFFF0000); }

    static int gateSelector(long d) { return low(d) >>> 16; }
}
