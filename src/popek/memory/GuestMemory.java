package popek.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import popek.engine.HostMemory;

/**
 * Guest physical RAM: one page-aligned off-heap segment that the engine maps into the emulated CPU with
 * {@code uc_mem_map_ptr}, so the CPU, the devices and the loaders all see the same bytes with no copy.
 * Addresses are guest-physical and start at 0. Accessors are little-endian, like the guest.
 */
public final class GuestMemory implements AutoCloseable {
    public static final long PAGE = 4096;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED;

    private final Arena arena;
    private final MemorySegment ram;

    public GuestMemory(long size) {
        if (size <= 0 || size % PAGE != 0) throw new IllegalArgumentException("guest RAM size must be a positive multiple of 4 KiB");
        this.arena = Arena.ofShared();
        this.ram = HostMemory.anonymous(size, arena);   // zeroed on first touch, as RAM after a cold reset looks
    }

    public long size() { return ram.byteSize(); }

    /** The backing segment, for the engine's {@code uc_mem_map_ptr} and for zero-copy device access. */
    public MemorySegment segment() { return ram; }

    /** True if [address, address + length) lies inside RAM. */
    public boolean contains(long address, long length) {
        return address >= 0 && length >= 0 && address <= size() - length;
    }

    public int read8(long a) { return ram.get(ValueLayout.JAVA_BYTE, a) & 0xFF; }
    public int read16(long a) { return ram.get(U16, a) & 0xFFFF; }
    public int read32(long a) { return ram.get(U32, a); }
    public long read64(long a) { return ram.get(U64, a); }
    public void write8(long a, int v) { ram.set(ValueLayout.JAVA_BYTE, a, (byte) v); wrote(a, 1); }
    public void write16(long a, int v) { ram.set(U16, a, (short) v); wrote(a, 2); }
    public void write32(long a, int v) { ram.set(U32, a, v); wrote(a, 4); }
    public void write64(long a, long v) { ram.set(U64, a, v); wrote(a, 8); }

    public void write(long address, byte[] bytes, int offset, int length) {
        MemorySegment.copy(bytes, offset, ram, ValueLayout.JAVA_BYTE, address, length);
        wrote(address, length);
    }

    /** Copies {@code length} bytes of {@code from} (a device's buffer) into RAM at {@code address}, as a DMA write. */
    public void write(long address, MemorySegment from, long length) {
        MemorySegment.copy(from, 0, ram, address, length);
        wrote(address, length);
    }

    /** Copies {@code length} bytes of RAM at {@code address} into {@code into} (a device's buffer), as a DMA read. */
    public void read(long address, MemorySegment into, long length) {
        MemorySegment.copy(ram, address, into, 0, length);
    }

    /** Told of every write the VMM makes through this class (not through {@link #segment()}). */
    @FunctionalInterface
    public interface WriteWatch {
        void wrote(long address, long length);
    }

    private WriteWatch watch;

    /**
     * Full virtualisation watches the VMM's own writes to RAM (an interrupt frame, a store an emulated instruction
     * makes, a device's transfer), since they bypass the guest's TLB, where it sees the guest's: a page of code so
     * written must be decoded again before it next runs. Writes through {@link #segment()} are not seen.
     */
    public void watchWrites(WriteWatch w) { this.watch = w; }

    private void wrote(long address, long length) {
        if (watch != null) watch.wrote(address, length);
    }

    public void write(long address, byte[] bytes) { write(address, bytes, 0, bytes.length); }

    public void read(long address, byte[] into, int offset, int length) {
        MemorySegment.copy(ram, ValueLayout.JAVA_BYTE, address, into, offset, length);
    }

    public byte[] read(long address, int length) {
        byte[] b = new byte[length];
        read(address, b, 0, length);
        return b;
    }

    public void fill(long address, long length, byte value) {
        ram.asSlice(address, length).fill(value);
        wrote(address, length);
    }

    /** A NUL-terminated string written at address; returns the address just past the NUL. */
    public long writeCString(long address, String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        write(address, b);
        write8(address + b.length, 0);
        return address + b.length + 1;
    }

    @Override public void close() { arena.close(); }
}
