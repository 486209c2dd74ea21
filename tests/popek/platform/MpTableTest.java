package popek.platform;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import popek.memory.GuestMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The MP tables read back the way a kernel reads them: the floating pointer found by the specification's search
 * order starting from the BIOS data area, then the configuration table it points to, walked entry by entry. Offsets
 * and values here are the specification's (MP Spec 1.4, chapter 4), not the writer's constants.
 */
class MpTableTest {
    private static final long RAM = 4L << 20;
    private GuestMemory ram;

    @BeforeEach
    void boot() {
        ram = new GuestMemory(RAM);
        BiosDataArea.write(ram);
        MpTable.write(ram);
    }

    @AfterEach
    void close() { ram.close(); }

    /** One place the specification says to search: [start, start + length), in 16-byte steps. */
    private record Area(String name, long start, long length) { }

    private List<Area> searchOrder() {
        List<Area> areas = new ArrayList<>();
        long ebda = (long) ram.read16(0x40E) << 4;
        if (ebda != 0) areas.add(new Area("the EBDA's first KiB", ebda, 1024));
        else areas.add(new Area("the last KiB of base memory", ((long) ram.read16(0x413) << 10) - 1024, 1024));
        areas.add(new Area("the BIOS ROM", 0xF0000, 0x10000));
        return areas;
    }

    private int sum(long address, int length) {
        int s = 0;
        for (int i = 0; i < length; i++) s += ram.read8(address + i);
        return s & 0xFF;
    }

    private String ascii(long address, int length) {
        return new String(ram.read(address, length), StandardCharsets.US_ASCII);
    }

    /** The first valid floating pointer in search order, and the area it was found in. */
    private record Found(long address, Area area) { }

    private Found findFloatingPointer() {
        for (Area a : searchOrder()) {
            for (long p = a.start(); p + 16 <= a.start() + a.length(); p += 16) {
                if (ascii(p, 4).equals("_MP_") && sum(p, 16) == 0) return new Found(p, a);
            }
        }
        throw new AssertionError("no MP floating pointer where the specification says to look");
    }

    @Test
    void theFloatingPointerIsFoundFirstInTheEbda() {
        Found f = findFloatingPointer();
        assertEquals("the EBDA's first KiB", f.area().name());
        assertEquals(MpTable.FLOATING_POINTER, f.address());
        long p = f.address();
        assertEquals(0, p % 16, "paragraph aligned");
        assertEquals(1, ram.read8(p + 8), "length in paragraphs");
        assertEquals(4, ram.read8(p + 9), "spec revision 1.4");
        assertEquals(0, sum(p, 16), "checksum");
        assertEquals(0, ram.read8(p + 11), "feature byte 1: a configuration table is present");
        assertEquals(0, ram.read8(p + 12) & 0x80, "feature byte 2: no IMCR, virtual wire mode");
        assertEquals(0, ram.read8(p + 12) | ram.read8(p + 13) | ram.read8(p + 14) | ram.read8(p + 15), "reserved bytes 0");
        long table = Integer.toUnsignedLong(ram.read32(p + 4));
        assertEquals(MpTable.CONFIG_TABLE, table);
    }

    @Test
    void theConfigurationTableHeader() {
        long t = Integer.toUnsignedLong(ram.read32(findFloatingPointer().address() + 4));
        assertEquals("PCMP", ascii(t, 4));
        int length = ram.read16(t + 4);
        assertEquals(4, ram.read8(t + 6), "spec revision 1.4");
        assertEquals(0, sum(t, length), "checksum over the base table");
        assertEquals("POPEK   ", ascii(t + 8, 8));
        assertEquals("PC          ", ascii(t + 16, 12));
        assertEquals(0, ram.read32(t + 28), "no OEM table");
        assertEquals(0, ram.read16(t + 32), "OEM table size");
        assertEquals(0xFEE00000, ram.read32(t + 36), "local APIC address");
        assertEquals(0, ram.read16(t + 40), "no extended table");
        assertEquals(0, ram.read8(t + 42), "extended table checksum");
        assertEquals(MpTable.CONFIG_TABLE_LENGTH, length);
        assertEquals(44 + 20 + 19 * 8, length);
        assertEquals(20, ram.read16(t + 34), "entry count: 1 processor, 1 bus, 1 I/O APIC, 15 + 2 interrupt assignments");
    }

    /** One entry: its type, its address and its bytes. */
    private record Entry(int type, long address, byte[] bytes) {
        int u8(int offset) { return bytes[offset] & 0xFF; }
        int u16(int offset) { return u8(offset) | u8(offset + 1) << 8; }
        int u32(int offset) { return u16(offset) | u16(offset + 2) << 16; }
    }

    private List<Entry> entries() {
        long t = Integer.toUnsignedLong(ram.read32(findFloatingPointer().address() + 4));
        int length = ram.read16(t + 4), count = ram.read16(t + 34);
        List<Entry> entries = new ArrayList<>();
        long at = t + 44;
        for (int i = 0; i < count; i++) {
            int type = ram.read8(at);
            int size = switch (type) {
                case 0 -> 20;
                case 1, 2, 3, 4 -> 8;
                default -> throw new AssertionError("entry " + i + ": unknown type " + type);
            };
            entries.add(new Entry(type, at, ram.read(at, size)));
            at += size;
        }
        assertEquals(t + length, at, "the entries fill the table exactly");
        return entries;
    }

    @Test
    void entriesComeInTheSpecificationsOrder() {
        List<Entry> entries = entries();
        for (int i = 1; i < entries.size(); i++) {
            assertTrue(entries.get(i - 1).type() <= entries.get(i).type(), "entry " + i + " out of order");
        }
        assertEquals(List.of(0, 1, 2), entries.subList(0, 3).stream().map(Entry::type).toList());
    }

    @Test
    void oneEnabledBootstrapProcessor() {
        List<Entry> cpus = entries().stream().filter(e -> e.type() == 0).toList();
        assertEquals(1, cpus.size());
        Entry c = cpus.get(0);
        assertEquals(0, c.u8(1), "local APIC ID");
        assertEquals(0x14, c.u8(2), "local APIC version");
        assertEquals(0b11, c.u8(3), "enabled, bootstrap processor");
        assertEquals(6, c.u32(4) >> 8 & 0xF, "CPU family");
        assertEquals(0x663, c.u32(4), "family 6, model 6, stepping 3");
        assertEquals(1, c.u32(8) & 1, "feature flags: FPU");
        assertEquals(1 << 9, c.u32(8) & 1 << 9, "feature flags: APIC");
        assertEquals(0, c.u32(12) | c.u32(16), "reserved");
    }

    @Test
    void oneIsaBusAndOneIoApic() {
        List<Entry> entries = entries();
        List<Entry> buses = entries.stream().filter(e -> e.type() == 1).toList();
        assertEquals(1, buses.size());
        assertEquals(0, buses.get(0).u8(1), "bus ID");
        assertEquals("ISA   ", new String(buses.get(0).bytes(), 2, 6, StandardCharsets.US_ASCII));

        List<Entry> ioapics = entries.stream().filter(e -> e.type() == 2).toList();
        assertEquals(1, ioapics.size());
        Entry io = ioapics.get(0);
        assertEquals(1, io.u8(1), "I/O APIC ID");
        assertEquals(MpTable.IOAPIC_ID, io.u8(1));
        assertEquals(0x20, io.u8(2), "I/O APIC version");
        assertEquals(1, io.u8(3), "enabled");
        assertEquals(0xFEC00000, io.u32(4), "I/O APIC address");
        assertNotEquals(entries.get(0).u8(1), io.u8(1), "APIC IDs are unique");
    }

    @Test
    void isaIrqsReachTheIoApicAsOnQemu() {
        List<Entry> entries = entries();
        int isaBus = entries.stream().filter(e -> e.type() == 1).findFirst().orElseThrow().u8(1);
        int ioapicId = entries.stream().filter(e -> e.type() == 2).findFirst().orElseThrow().u8(1);
        Map<Integer, Integer> pinOf = new TreeMap<>();
        for (Entry e : entries) {
            if (e.type() != 3) continue;
            assertEquals(0, e.u8(1), "interrupt type INT");
            assertEquals(0, e.u16(2), "polarity and trigger conform to the bus");
            assertEquals(isaBus, e.u8(4), "source bus");
            assertEquals(ioapicId, e.u8(6), "destination I/O APIC");
            assertEquals(null, pinOf.put(e.u8(5), e.u8(7)), "one entry per IRQ");
        }
        Map<Integer, Integer> want = new TreeMap<>();
        want.put(0, 2);
        for (int irq = 1; irq < 16; irq++) if (irq != 2) want.put(irq, irq);
        assertEquals(want, pinOf);
        for (int irq = 0; irq < 16; irq++) assertEquals(want.getOrDefault(irq, -1), MpTable.ioapicPin(irq));
    }

    @Test
    void theLocalInterruptsAreVirtualWire() {
        List<Entry> locals = entries().stream().filter(e -> e.type() == 4).toList();
        assertEquals(2, locals.size());
        Entry extInt = locals.get(0), nmi = locals.get(1);
        assertEquals(3, extInt.u8(1), "ExtINT");
        assertEquals(0, extInt.u8(7), "to LINT0");
        assertEquals(1, nmi.u8(1), "NMI");
        assertEquals(1, nmi.u8(7), "to LINT1");
        for (Entry e : locals) {
            assertEquals(0, e.u16(2), "polarity and trigger conform to the bus");
            assertEquals(0xFF, e.u8(6), "every local APIC");
        }
    }

    @Test
    void itTouchesNothingButTheEbdaAndLeavesTheBiosDataAreaAlone() {
        long fp = findFloatingPointer().address();
        long table = Integer.toUnsignedLong(ram.read32(fp + 4));
        int length = ram.read16(table + 4);
        MemoryMap map = MemoryMap.pc(RAM);
        for (long[] r : new long[][] {{fp, fp + 16}, {table, table + length}}) {
            assertTrue(r[0] >= MemoryMap.EBDA_START && r[1] <= MemoryMap.EBDA_START + 1024, "in the EBDA's first KiB");
            assertTrue(map.regions().stream().anyMatch(g -> g.type() == MemoryMap.Type.RESERVED && g.contains(r[0], r[1])),
                    "inside a reserved E820 range");
            for (MemoryMap.Region g : map.regions()) {
                if (g.type() == MemoryMap.Type.AVAILABLE) assertFalse(r[0] < g.end() && g.base() < r[1], "overlaps usable RAM " + g);
            }
        }
        assertTrue(fp + 16 <= table || table + length <= fp, "the pointer and the table do not overlap");
        // The BIOS data area's words are as BiosDataArea wrote them, and the table never reaches them.
        assertEquals(0x9FC0, ram.read16(0x40E));
        assertEquals(639, ram.read16(0x413));

        // On zeroed RAM, nothing outside the two structures is written.
        try (GuestMemory fresh = new GuestMemory(RAM)) {
            MpTable.write(fresh);
            for (long a = 0; a < RAM; a += 8) {
                if (fresh.read64(a) == 0) continue;
                for (long b = a; b < a + 8; b++) {
                    boolean inside = (b >= fp && b < fp + 16) || (b >= table && b < table + length);
                    if (fresh.read8(b) != 0 && !inside) throw new AssertionError(String.format("wrote outside the MP structures at %#x", b));
                }
            }
            assertEquals(0, fresh.read16(0x40E), "MpTable.write leaves the BIOS data area to BiosDataArea");
            assertEquals(0, fresh.read8(MemoryMap.EBDA_START), "the EBDA's first paragraph (its header) is left alone");
        }
    }

    @Test
    void ramThatDoesNotReachTheEbdaIsRefused() {
        try (GuestMemory small = new GuestMemory(512 * 1024)) {
            assertThrows(IllegalArgumentException.class, () -> MpTable.write(small));
        }
    }
}
