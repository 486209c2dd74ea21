package popek.fuzz.code;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * A disk whose boot sector is random code: real-mode code straight from 0000:7C00, or the textbook switch to
 * protected mode (a flat GDT in the sector, CR0.PE, a far jump) followed by random 32-bit code, then a debug-exit
 * that says it ran to its end. The sectors after it are random bytes for the code's port I/O to read and write.
 */
final class RandomBootSector {
    static final int ORIGIN = 0x7C00, GDT = 0x7D80, GDTR = 0x7DA0, SIGNATURE = 0x7DFE;
    static final int SECTORS = 16;
    private static final long[] GDT_ENTRIES = {0, 0x00CF9A000000FFFFL, 0x00CF92000000FFFFL};
    private static final int[] VALUES = {0, 0x08, 0x10, 0x18, 0x7C00, 0x7D80, 0x7DA0, 0x11, 0xFFFF, 0xB8000, 0x500};

    record Disk(byte[] bytes, String name) { }

    private RandomBootSector() {}

    static Disk make(Random r) {
        byte[] disk = new byte[SECTORS * 512];
        r.nextBytes(disk);
        ByteBuffer sector = ByteBuffer.wrap(disk, 0, 512).order(ByteOrder.LITTLE_ENDIAN);
        Bytes code = new Bytes(ORIGIN);
        boolean protectedMode = r.nextInt(3) != 0;
        if (protectedMode) {
            code.raw(0xFA, 0x31, 0xC0, 0x8E, 0xD8);                  // cli; xor ax, ax; mov ds, ax
            code.raw(0x0F, 0x01, 0x16).imm16(GDTR);                  // lgdt [GDTR]
            code.raw(0x0F, 0x20, 0xC0, 0x0C, 0x01, 0x0F, 0x22, 0xC0); // mov eax, cr0; or al, 1; mov cr0, eax
            code.raw(0xEA).imm16(code.here() + 4).imm16(0x08);       // jmp 0x08:next (16-bit far jump)
            code.raw(0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0x8E, 0xC0, 0x8E, 0xD0);   // mov ax, 0x10; ds, es, ss
            code.movImm(4, ORIGIN);                                  // mov esp, 0x7C00
        }
        int room = GDT - code.here() - 7;
        int length = Math.min(room, 4 + r.nextInt(room));
        byte[] body;
        if (r.nextBoolean()) {
            body = Soup.make(r, length, VALUES);
            if (body.length > room) body = java.util.Arrays.copyOf(body, room);
        } else {
            body = new byte[length];
            r.nextBytes(body);
        }
        code.raw(Soup.withoutDebugRegisterWrites(body)).debugExit(RandomKernel.RAN_THROUGH);
        sector.put(0, code.array());
        for (int i = 0; i < GDT_ENTRIES.length; i++) sector.putLong(GDT - ORIGIN + 8 * i, GDT_ENTRIES[i]);
        sector.putShort(GDTR - ORIGIN, (short) 23).putInt(GDTR - ORIGIN + 2, GDT);
        sector.put(SIGNATURE - ORIGIN, (byte) 0x55).put(SIGNATURE - ORIGIN + 1, (byte) 0xAA);
        return new Disk(disk, (protectedMode ? "pm" : "real") + "-" + body.length);
    }
}
