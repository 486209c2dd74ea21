package popek.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import popek.platform.MemoryMap.Region;
import popek.platform.MemoryMap.Type;

class MemoryMapTest {
    @Test void pcLayoutMatchesWhatSeaBiosReports() {
        MemoryMap map = MemoryMap.pc(64L << 20);
        assertEquals(List.of(
                new Region(0, 0x9FC00, Type.AVAILABLE),
                new Region(0x9FC00, 0x400, Type.RESERVED),
                new Region(0xF0000, 0x10000, Type.RESERVED),
                new Region(0x100000, (64L << 20) - 0x100000, Type.AVAILABLE)), map.regions());
        assertEquals(1, Type.AVAILABLE.code);
        assertEquals(2, Type.RESERVED.code);
    }

    @Test void lowerAndUpperMemoryInKib() {
        MemoryMap map = MemoryMap.pc(64L << 20);
        assertEquals(639, map.lowerKib());
        assertEquals(63 * 1024, map.upperKib());
        assertEquals(3L * 1024 * 1024 - 1024, MemoryMap.pc(3L << 30).upperKib());
    }

    @Test void availabilityIsPerRegion() {
        MemoryMap map = MemoryMap.pc(4L << 20);
        assertTrue(map.isAvailable(0x1000, 0x9FC00));
        assertFalse(map.isAvailable(0x9F000, 0xA0000), "runs into the EBDA");
        assertFalse(map.isAvailable(0xB8000, 0xB9000), "the VGA hole is not listed at all");
        assertTrue(map.isAvailable(0x100000, 4L << 20));
        assertFalse(map.isAvailable(0x100000, (4L << 20) + 1), "past the end of RAM");
    }

    @Test void rejectsInconsistentMaps() {
        assertThrows(IllegalArgumentException.class, () -> MemoryMap.pc(1L << 20));
        assertThrows(IllegalArgumentException.class, () -> new MemoryMap(List.of(
                new Region(0, 0x2000, Type.AVAILABLE), new Region(0x1000, 0x1000, Type.RESERVED))));
        assertThrows(IllegalArgumentException.class, () -> new Region(0, 0, Type.AVAILABLE));
    }
}
