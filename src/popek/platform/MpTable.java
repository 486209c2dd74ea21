package popek.platform;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import popek.memory.GuestMemory;

/**
 * The Intel MultiProcessor Specification 1.4 tables a PC BIOS leaves for the operating system: how many CPUs there
 * are, where the local APIC and the I/O APIC live, and which I/O APIC input each ISA interrupt arrives on. Popek runs
 * no BIOS, so the VMM writes them into guest RAM itself, before the guest starts.
 *
 * <p>Layout (all inside the first KiB of the EBDA, which the BIOS data area names at 0x40E and the E820 map reserves):
 * <pre>
 *   0x9FC00   16 bytes left alone: a BIOS keeps the EBDA's own header there (byte 0: its size in KiB)
 *   0x9FC10   the floating pointer "_MP_" (16 bytes, one paragraph)           {@link #FLOATING_POINTER}
 *   0x9FC20   the configuration table "PCMP": a 44-byte header, then          {@link #CONFIG_TABLE}
 *             1 processor (20 bytes), 1 bus "ISA", 1 I/O APIC,
 *             15 I/O interrupt assignments (ISA IRQ 0, 1, 3..15), 2 local interrupt assignments (8 bytes each);
 *             216 bytes in all, so it ends at 0x9FCF8                              {@link #CONFIG_TABLE_LENGTH}
 * </pre>
 * The EBDA is the first place the specification tells software to search, so a kernel finds the pointer at once.
 *
 * <p>The interrupt routing is QEMU's PC's, as SeaBIOS describes it: ISA IRQ 0 (the PIT) reaches I/O APIC pin 2
 * (the override every PC chipset has), every other ISA IRQ n pin n, none for IRQ 2 (the 8259 cascade); all edge
 * triggered and active high, as the ISA bus is ("conforms to the bus"). The 8259 pair's output is wired to LINT0 of
 * the local APIC (ExtINT) and NMI to LINT1: the "virtual wire" mode, so the IMCR bit in the floating pointer is clear.
 * As in SeaBIOS's table, the I/O APIC's pin 0 carries no ExtINT entry (QEMU wires the 8259s to LINT0 only).
 *
 * <p>Where it differs from SeaBIOS's table under QEMU: no PCI bus, so the ISA bus has ID 0 and IRQs 5, 9, 10 and 11
 * (SeaBIOS leaves those to PCI) are ISA interrupts too; the I/O APIC has ID 1 (SeaBIOS: 0), distinct from the local
 * APIC's 0 as the specification expects of IDs on one APIC bus, so Popek's I/O APIC must report ID 1; the ExtINT
 * entry names every local APIC (SeaBIOS: the BSP's), the same thing with one CPU.
 */
public final class MpTable {
    /** Where the local APIC's registers appear (the architectural default of IA32_APIC_BASE). */
    public static final long LOCAL_APIC_BASE = 0xFEE00000L;
    /** Where the I/O APIC's index and data windows appear. */
    public static final long IOAPIC_BASE = 0xFEC00000L;
    /** The I/O APIC's APIC ID, named by the interrupt assignment entries. */
    public static final int IOAPIC_ID = 1;
    /** The bootstrap processor's local APIC ID. */
    public static final int BSP_APIC_ID = 0;
    /** The ISA bus's bus ID (the only bus: Popek has no PCI). */
    public static final int ISA_BUS_ID = 0;

    /** The floating pointer structure: paragraph-aligned, in the EBDA's first KiB, after the EBDA's own header paragraph. */
    public static final long FLOATING_POINTER = MemoryMap.EBDA_START + 16;
    /** The configuration table, right after the floating pointer. */
    public static final long CONFIG_TABLE = FLOATING_POINTER + 16;

    // Entry types and their lengths (specification, section 4.3).
    static final int PROCESSOR = 0, BUS = 1, IO_APIC = 2, IO_INTERRUPT = 3, LOCAL_INTERRUPT = 4;
    static final int HEADER_LENGTH = 44, PROCESSOR_LENGTH = 20, OTHER_ENTRY_LENGTH = 8;
    // Interrupt types of the interrupt assignment entries.
    static final int INT = 0, NMI = 1, EXT_INT = 3;
    /** Destination local APIC ID meaning "every local APIC". */
    static final int ALL_LOCAL_APICS = 0xFF;

    /** The ISA IRQs given an I/O interrupt entry: all but IRQ 2, the cascade, whose pin carries IRQ 0. */
    private static final int[] ISA_IRQS = {0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    private static final int ENTRY_COUNT = 3 + ISA_IRQS.length + 2;
    /** Bytes of the configuration table, header included (no extended table follows). */
    public static final int CONFIG_TABLE_LENGTH = HEADER_LENGTH + PROCESSOR_LENGTH + (ENTRY_COUNT - 1) * OTHER_ENTRY_LENGTH;

    /**
     * The CPU signature in the processor entry (CPUID leaf 1's EAX layout): family 6, model 6, stepping 3, the
     * signature QEMU's generic 32-bit CPU ("qemu32") reports. Kernels take the CPU's identity from CPUID itself;
     * the table's copy is informational.
     */
    static final int CPU_SIGNATURE = 6 << 8 | 6 << 4 | 3;
    /** The feature flags in the processor entry (CPUID leaf 1's EDX layout): an on-chip FPU (bit 0) and APIC (bit 9). */
    static final int CPU_FEATURES = 1 | 1 << 9;
    /** Local APIC version: 0x14, an integrated APIC (0x1X), what QEMU's local APIC reports. */
    static final int LOCAL_APIC_VERSION = 0x14;
    /** I/O APIC version: 0x20, what QEMU's I/O APIC reports by default (its version register's low byte). */
    static final int IOAPIC_VERSION = 0x20;

    private MpTable() { }

    /** The I/O APIC input that ISA IRQ {@code irq} is wired to: pin 2 for IRQ 0, pin n for IRQ n otherwise; -1 for IRQ 2. */
    public static int ioapicPin(int irq) {
        if (irq < 0 || irq > 15) throw new IllegalArgumentException("not an ISA IRQ: " + irq);
        return irq == 0 ? 2 : irq == 2 ? -1 : irq;
    }

    /**
     * Writes the floating pointer at {@link #FLOATING_POINTER} and the configuration table at {@link #CONFIG_TABLE}.
     * Nothing else in RAM is touched. Call it after the kernel is loaded (as {@link BiosDataArea#write} is).
     *
     * @throws IllegalArgumentException if RAM does not reach the EBDA
     */
    public static void write(GuestMemory ram) {
        if (!ram.contains(MemoryMap.EBDA_START, MemoryMap.CONVENTIONAL_END - MemoryMap.EBDA_START)) {
            throw new IllegalArgumentException("guest RAM does not reach the EBDA");
        }
        ram.write(CONFIG_TABLE, configTable());
        ram.write(FLOATING_POINTER, floatingPointer());
    }

    private static byte[] floatingPointer() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("_MP_", 4));
        b.putInt((int) CONFIG_TABLE);
        b.put((byte) 1);            // length in paragraphs
        b.put((byte) 4);            // specification revision 1.4
        b.put((byte) 0);            // checksum, below
        b.put((byte) 0);            // feature byte 1: 0, a configuration table is present (no default configuration)
        b.put((byte) 0);            // feature byte 2: bit 7 (IMCR present) clear, virtual wire mode
        // feature bytes 3-5 reserved, 0
        return checksummed(b.array(), 10);
    }

    private static byte[] configTable() {
        ByteBuffer b = ByteBuffer.allocate(CONFIG_TABLE_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ascii("PCMP", 4));
        b.putShort((short) CONFIG_TABLE_LENGTH);
        b.put((byte) 4);            // specification revision 1.4
        b.put((byte) 0);            // checksum, below
        b.put(ascii("POPEK", 8));
        b.put(ascii("PC", 12));
        b.putInt(0);                // no OEM table
        b.putShort((short) 0);
        b.putShort((short) ENTRY_COUNT);
        b.putInt((int) LOCAL_APIC_BASE);
        b.putShort((short) 0);      // no extended table: its length and checksum 0
        b.put((byte) 0);
        b.put((byte) 0);

        // The entries in the order the specification requires: processors, buses, I/O APICs, then the assignments.
        b.put((byte) PROCESSOR).put((byte) BSP_APIC_ID).put((byte) LOCAL_APIC_VERSION);
        b.put((byte) 0b11);         // flags: enabled, the bootstrap processor
        b.putInt(CPU_SIGNATURE).putInt(CPU_FEATURES).putLong(0);

        b.put((byte) BUS).put((byte) ISA_BUS_ID).put(ascii("ISA", 6));

        b.put((byte) IO_APIC).put((byte) IOAPIC_ID).put((byte) IOAPIC_VERSION);
        b.put((byte) 1);            // flags: enabled
        b.putInt((int) IOAPIC_BASE);

        for (int irq : ISA_IRQS) interrupt(b, IO_INTERRUPT, INT, irq, IOAPIC_ID, ioapicPin(irq));
        interrupt(b, LOCAL_INTERRUPT, EXT_INT, 0, ALL_LOCAL_APICS, 0);
        interrupt(b, LOCAL_INTERRUPT, NMI, 0, ALL_LOCAL_APICS, 1);
        if (b.hasRemaining()) throw new IllegalStateException("MP table length miscounted");
        return checksummed(b.array(), 7);
    }

    /** An I/O or local interrupt assignment from the ISA bus; flags 0: polarity and trigger mode as the bus has them. */
    private static void interrupt(ByteBuffer b, int entryType, int interruptType, int sourceIrq, int destination, int input) {
        b.put((byte) entryType).put((byte) interruptType).putShort((short) 0);
        b.put((byte) ISA_BUS_ID).put((byte) sourceIrq).put((byte) destination).put((byte) input);
    }

    /** s in ASCII, padded with spaces to length bytes. */
    private static byte[] ascii(String s, int length) {
        return String.format("%-" + length + "s", s).getBytes(StandardCharsets.US_ASCII);
    }

    /** Sets the byte at checksumAt so that all bytes of the structure sum to 0 modulo 256. */
    private static byte[] checksummed(byte[] structure, int checksumAt) {
        int sum = 0;
        for (byte x : structure) sum += x;
        structure[checksumAt] = (byte) -sum;
        return structure;
    }
}
