package popek.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest RAM: its size rule, bounds, little-endian accessors of every width, bulk copies, and the write watch. */
class GuestMemoryTest {
    private final GuestMemory ram = new GuestMemory(64 * 1024);

    @AfterEach
    void close() { ram.close(); }

    @Test
    void aSizeMustBeAPositiveMultipleOfAPage() {
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(0));
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(-4096));
        assertThrows(IllegalArgumentException.class, () -> new GuestMemory(4097));
        assertEquals(64 * 1024, ram.size());
    }

    @Test
    void itStartsZeroed() {
        assertEquals(-1, ram.segment().asSlice(0, ram.size()).mismatch(MemorySegment.ofArray(new byte[(int) ram.size()])));
    }

    @Test
    void containsIsExactAtBothEnds() {
        long end = ram.size();
        assertTrue(ram.contains(0, end));
        assertTrue(ram.contains(end - 4, 4));
        assertTrue(ram.contains(end, 0));
        assertFalse(ram.contains(end - 3, 4));
        assertFalse(ram.contains(-1, 1));
        assertFalse(ram.contains(0, end + 1));
        assertFalse(ram.contains(8, -1));
        assertFalse(ram.contains(Long.MAX_VALUE, 8), "no overflow");
    }

    @Test
    void accessorsAreLittleEndianAndMayBeUnaligned() {
        ram.write64(0x101, 0x0807060504030201L);
        assertEquals(0x01, ram.read8(0x101));
        assertEquals(0x0201, ram.read16(0x101));
        assertEquals(0x04030201, ram.read32(0x101));
        assertEquals(0x0807060504030201L, ram.read64(0x101));
        ram.write16(0x103, 0xBEEF);
        assertArrayEquals(new byte[] {1, 2, (byte) 0xEF, (byte) 0xBE, 5}, ram.read(0x101, 5));
        ram.write8(0x200, 0x1FF);
        assertEquals(0xFF, ram.read8(0x200), "a byte keeps the low 8 bits");
        ram.write32(0x300, 0xFFFFFFFE);
        assertEquals(0xFFFF, ram.read16(0x302), "reads are unsigned below 32 bits");
        assertEquals(-2, ram.read32(0x300));
    }

    @Test
    void bulkCopiesAndStrings() {
        ram.write(0x400, new byte[] {9, 8, 7, 6}, 1, 2);
        assertArrayEquals(new byte[] {8, 7, 0}, ram.read(0x400, 3));
        ram.fill(0x500, 16, (byte) 0xAA);
        assertEquals(0xAAAAAAAA, ram.read32(0x50C));
        assertEquals(0, ram.read8(0x510));
        assertEquals(0x606, ram.writeCString(0x600, "hello"));
        assertArrayEquals("hello\0".getBytes(), ram.read(0x600, 6));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(8);
            buf.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, 0x1122334455667788L);
            ram.write(0x700, buf, 8);
            assertEquals(0x1122334455667788L, ram.read64(0x700));
            MemorySegment back = a.allocate(4);
            ram.read(0x704, back, 4);
            assertEquals(0x11223344, back.get(ValueLayout.JAVA_INT_UNALIGNED, 0));
        }
        byte[] into = new byte[4];
        ram.read(0x700, into, 1, 3);
        assertArrayEquals(new byte[] {0, (byte) 0x88, 0x77, 0x66}, into);
    }

    @Test
    void theSegmentIsTheSameBytes() {
        ram.segment().set(ValueLayout.JAVA_INT_UNALIGNED, 0x800, 0x12345678);
        assertEquals(0x12345678, ram.read32(0x800));
        ram.write16(0x900, 0x4321);
        assertEquals((short) 0x4321, ram.segment().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0x900));
    }

    @Test
    void theWatchSeesEveryWriteThroughThisClassWithItsAddressAndLength() {
        List<long[]> seen = new ArrayList<>();
        ram.watchWrites((address, length) -> seen.add(new long[] {address, length}));
        ram.write8(1, 0);
        ram.write16(2, 0);
        ram.write32(4, 0);
        ram.write64(8, 0);
        ram.write(16, new byte[5]);
        ram.fill(32, 7, (byte) 0);
        ram.writeCString(48, "ab");
        try (Arena a = Arena.ofConfined()) {
            ram.write(64, a.allocate(3), 3);
        }
        ram.read32(0);   // reads are not seen
        ram.segment().set(ValueLayout.JAVA_BYTE, 100, (byte) 1);   // nor writes through the segment
        long[][] want = {{1, 1}, {2, 2}, {4, 4}, {8, 8}, {16, 5}, {32, 7}, {48, 2}, {50, 1}, {64, 3}};
        assertEquals(want.length, seen.size());
        for (int i = 0; i < want.length; i++) assertArrayEquals(want[i], seen.get(i), "write " + i);
        ram.watchWrites(null);
        ram.write8(0, 1);
        assertEquals(want.length, seen.size());
    }
}
