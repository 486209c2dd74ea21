package popek.linux.platform;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * The GDT layout of i386 Linux (arch/x86/include/asm/segment.h): three TLS entries from 6 for {@code set_thread_area},
 * the user code and data segments at entries 14 and 15 (selectors 0x73 and 0x7b). Only what ring-3 code can load is
 * present; Popek itself never runs on the CPU.
 */
public final class Gdt {
    private Gdt() { }

    public static final int ENTRIES = 32;
    public static final int TLS_FIRST = 6, TLS_COUNT = 3;
    public static final int USER_CS = (14 << 3) | 3, USER_DS = (15 << 3) | 3;

    static void initialise(MemorySegment gdt) {
        gdt.fill((byte) 0);
        // Flat 4 GiB, 32-bit, DPL 3: code execute/read, data read/write (both marked accessed).
        put(gdt, 14, 0x0000FFFF, 0x00CFFB00);
        put(gdt, 15, 0x0000FFFF, 0x00CFF300);
    }

    static void put(MemorySegment gdt, int entry, int low, int high) {
        gdt.set(JAVA_INT, 8L * entry, low);
        gdt.set(JAVA_INT, 8L * entry + 4, high);
    }
}
