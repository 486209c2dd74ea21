package popek.translate;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import popek.memory.GuestMemory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shadow pages: what is rewritten and how, the patch table, and re-decoding a page that changed. */
class ShadowCodeTest {
    private static final long PAGE = 0x1000, BASE = ShadowCode.POOLS_BASE;
    // mov eax, 1 ; cli ; lgdt [0x2000] ; out 0x80, al ; ret
    private static final byte[] CODE = bytes(0xB8, 1, 0, 0, 0, 0xFA, 0x0F, 0x01, 0x15, 0x00, 0x20, 0x00, 0x00, 0xE6, 0x80, 0xC3);

    private final GuestMemory ram = new GuestMemory(1 << 20);
    private final Arena arena = Arena.ofConfined();
    private final CodeScanner scanner = new CodeScanner();

    @AfterEach
    void close() {
        scanner.close();
        arena.close();
        ram.close();
    }

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    private ShadowCode shadows(int pages, boolean kernel) {
        return new ShadowCode(ram, arena.allocate(pages * 4096L, 4096), BASE, kernel, scanner);
    }

    @Test
    void kernelPagesGetNopsEndingInInt3ForEachRewrittenInstruction() {
        ram.write(PAGE, CODE);
        MemorySegment pool = arena.allocate(16 * 4096L, 4096);
        ShadowCode s = new ShadowCode(ram, pool, BASE, true, scanner);
        long shadow = s.shadowOf(PAGE, 32);
        assertEquals(BASE, shadow);
        assertEquals(ShadowCode.BUILT, s.lastFlags());
        byte[] run = new byte[CODE.length];
        MemorySegment.copy(pool, ValueLayout.JAVA_BYTE, 0, run, 0, run.length);
        // cli (1 byte) becomes int3; lgdt (7 bytes) six nops and int3; mov, out (trapped by a hook) and ret stay.
        assertArrayEquals(bytes(0xB8, 1, 0, 0, 0, 0xCC, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xCC, 0xE6, 0x80, 0xC3), run);
        assertArrayEquals(CODE, ram.read(PAGE, CODE.length), "the guest's own bytes are untouched");

        ScanResult scan = s.scanOfShadow(shadow);
        assertEquals(SensitiveClass.CLI, scan.sensitiveClass(s.siteAt(shadow, 5)));
        int lgdt = s.siteAt(shadow, 12);
        assertEquals(SensitiveClass.LGDT, scan.sensitiveClass(lgdt));
        assertEquals(6, scan.offset(lgdt));
        assertEquals(-1, s.siteAt(shadow, 6), "a nop of a rewritten instruction is no trap");
        assertEquals(-1, s.siteAt(shadow, 13), "out is not rewritten in kernel code");
        assertEquals(-1, s.siteAt(shadow, 0x800));

        assertEquals(shadow, s.shadowOf(PAGE, 32));
        assertEquals(ShadowCode.REUSED, s.lastFlags());
        assertEquals(PAGE, s.originalOf(shadow));
        assertTrue(s.inPool(shadow) && !s.inPool(PAGE));
    }

    @Test
    void aWrittenPageIsComparedAndDecodedAgainIntoAFreshSlotOnlyIfItChanged() {
        ram.write(PAGE, CODE);
        ShadowCode s = shadows(16, true);
        long first = s.shadowOf(PAGE, 32);
        s.written(PAGE);
        assertEquals(first, s.shadowOf(PAGE, 32), "written but unchanged: the same shadow");
        assertEquals(ShadowCode.CHECKED, s.lastFlags());
        assertEquals(0, s.rescans());

        ram.write8(PAGE + 5, 0xFB);   // cli -> sti
        s.written(PAGE);
        long second = s.shadowOf(PAGE, 32);
        assertNotEquals(first, second);
        assertEquals(ShadowCode.REBUILT | ShadowCode.BUILT, s.lastFlags());
        assertEquals(1, s.rescans());
        assertEquals(SensitiveClass.STI, s.scanOfShadow(second).sensitiveClass(s.siteAt(second, 5)));
        assertEquals(SensitiveClass.CLI, s.scanOfShadow(first).sensitiveClass(s.siteAt(first, 5)),
                "a trap in the old shadow, still running until the TLB drops it, is the old instruction's");
    }

    @Test
    void aPageRunAsBothCodeSizesHasAShadowForEach() {
        // 66 b8 10 00 8e d8: in 32-bit code "mov ax, 0x10; mov ds, ax" (a trap at offset 5); in 16-bit code one
        // "mov eax, 0xd88e0010" with nothing to trap. A boot sector's page runs both.
        ram.write(PAGE, bytes(0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0xC3));
        ShadowCode s = shadows(16, true);
        long sixteen = s.shadowOf(PAGE, 16);
        assertEquals(-1, s.siteAt(sixteen, 5));
        long thirtyTwo = s.shadowOf(PAGE, 32);
        assertNotEquals(sixteen, thirtyTwo, "translations of the 16-bit shadow must never run as 32-bit code");
        assertEquals(ShadowCode.BUILT, s.lastFlags());
        assertEquals(SensitiveClass.SEG_MOV_WRITE, s.scanOfShadow(thirtyTwo).sensitiveClass(s.siteAt(thirtyTwo, 5)));
        assertEquals(thirtyTwo, s.shadowOf(PAGE, 32));
        assertEquals(ShadowCode.REUSED, s.lastFlags());
        assertEquals(sixteen, s.shadowOf(PAGE, 16), "back in 16-bit code: the first shadow again, not a third");
        assertEquals(ShadowCode.REUSED, s.lastFlags());
        assertEquals(2, s.scans());

        ram.write8(PAGE + 6, 0xFA);   // ret -> cli: both shadows are checked again
        s.written(PAGE);
        assertNotEquals(sixteen, s.shadowOf(PAGE, 16));
        assertNotEquals(thirtyTwo, s.shadowOf(PAGE, 32));
        assertEquals(4, s.scans());
    }

    @Test
    void codeEnteredOutOfTheSweepsStepIsDecodedAgainFromTheEntry() {
        // A Multiboot header, then the entry point's hlt: swept from offset 0 the header ends in "e4 f4", an
        // in al, 0xf4 that swallows the hlt (0xf4), which would then run unrewritten.
        ram.write(PAGE, bytes(0x02, 0xB0, 0xAD, 0x1B, 0x00, 0x00, 0x00, 0x00, 0xFE, 0x4F, 0x52, 0xE4, 0xF4, 0xEB, 0xFE));
        ShadowCode s = shadows(16, true);
        long swept = s.shadowOf(PAGE, 32);
        assertEquals(-1, s.siteAt(swept, 12));
        assertFalse(s.scanOfShadow(swept).isInstructionStart(12));
        long entered = s.shadowOf(PAGE, 32, 12);
        assertNotEquals(swept, entered);
        assertEquals(ShadowCode.REBUILT | ShadowCode.BUILT, s.lastFlags());
        assertEquals(SensitiveClass.HLT, s.scanOfShadow(entered).sensitiveClass(s.siteAt(entered, 12)));
        assertEquals(-1, s.siteAt(entered, 11), "the in that crossed the entry is no instruction");
        assertEquals(1, s.reanchors());
        assertEquals(entered, s.shadowOf(PAGE, 32, 12));
        assertEquals(entered, s.shadowOf(PAGE, 32, 13), "entered at an instruction it decoded: no new shadow");
        assertEquals(ShadowCode.REUSED, s.lastFlags());

        // Entered first at the entry point: decoded from there at once.
        ShadowCode t = shadows(16, true);
        long first = t.shadowOf(PAGE, 32, 12);
        assertEquals(ShadowCode.BUILT, t.lastFlags());
        assertEquals(SensitiveClass.HLT, t.scanOfShadow(first).sensitiveClass(t.siteAt(first, 12)));
    }

    @Test
    void aBootSectorsThirtyTwoBitCodeAfterItsSixteenBitCodeIsDecodedFromTheFarJumpsTarget() {
        // 16-bit: mov eax, cr0; or eax, 1; mov cr0, eax; ljmp 0x8:0x1009 ... 32-bit at 9: mov ax, 0x10; mov ds, ax.
        // A 32-bit sweep from 0 reads the ljmp as 7 bytes (ea + 4-byte offset + selector) and ends inside the
        // mov ax, 0x10, whose 0x10 00 8e then misleads it further.
        byte[] code = bytes(0x0F, 0x20, 0xC0, 0x66, 0x83, 0xC8, 0x01, 0x0F, 0x22, 0xC0,
                0xEA, 0x0F, 0x10, 0x08, 0x00, 0x66, 0xB8, 0x10, 0x00, 0x8E, 0xD8, 0xEB, 0xFE);
        ram.write(PAGE, code);
        MemorySegment pool = arena.allocate(16 * 4096L, 4096);
        ShadowCode s = new ShadowCode(ram, pool, BASE, true, scanner);
        long sixteen = s.shadowOf(PAGE, 16, 10);
        assertEquals(SensitiveClass.FAR_JMP, s.scanOfShadow(sixteen).sensitiveClass(s.siteAt(sixteen, 14)));
        long thirtyTwo = s.shadowOf(PAGE, 32, 15);
        ScanResult scan = s.scanOfShadow(thirtyTwo);
        assertEquals(SensitiveClass.SEG_MOV_WRITE, scan.sensitiveClass(s.siteAt(thirtyTwo, 20)));
        assertTrue(scan.isInstructionStart(15) && scan.isInstructionStart(19) && scan.isInstructionStart(21));
        byte[] run = new byte[8];
        MemorySegment.copy(pool, ValueLayout.JAVA_BYTE, thirtyTwo - BASE + 15, run, 0, run.length);
        assertArrayEquals(bytes(0x66, 0xB8, 0x10, 0x00, 0x90, 0xCC, 0xEB, 0xFE), run, "mov ax, 0x10 untouched; mov ds, ax a trap");
    }

    @Test
    void userPagesRewriteOnlyPortIoAndRdtsc() {
        // cli ; out 0x80, al ; rdtsc ; ret
        ram.write(PAGE, bytes(0xFA, 0xE6, 0x80, 0x0F, 0x31, 0xC3));
        MemorySegment pool = arena.allocate(16 * 4096L, 4096);
        ShadowCode s = new ShadowCode(ram, pool, BASE, false, scanner);
        s.shadowOf(PAGE, 32);
        byte[] run = new byte[6];
        MemorySegment.copy(pool, ValueLayout.JAVA_BYTE, 0, run, 0, run.length);
        assertArrayEquals(bytes(0xFA, 0x90, 0xCC, 0x90, 0xCC, 0xC3), run);
        assertEquals(-1, s.siteAt(s.shadowPageOf(PAGE, 32), 0), "cli in user code faults by itself");
        assertEquals(SensitiveClass.IO, s.scanOf(PAGE).sensitiveClass(s.siteAt(s.shadowPageOf(PAGE, 32), 2)));
    }

    @Test
    void aPoolDownToItsReserveAsksToBePurged() {
        ShadowCode s = shadows(ShadowCode.RESERVE + 2, true);
        ram.write(PAGE, CODE);
        ram.write(2 * PAGE, CODE);
        s.shadowOf(PAGE, 32);
        assertFalse(s.needsPurge());
        s.shadowOf(2 * PAGE, 32);
        assertTrue(s.needsPurge());
        s.purge();
        assertEquals(0, s.size());
        assertFalse(s.hasShadow(PAGE));
        assertEquals(1, s.purges());
        assertThrows(IllegalArgumentException.class, () -> shadows(ShadowCode.RESERVE, true));
    }
}
