package popek.translate;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.sun.management.ThreadMXBean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.translate.CodeScanner.PAGE_SIZE;
import static popek.translate.SensitiveClass.*;

/** The linear sweep over one page: known offsets, instructions across the page end, garbage, 16-bit code, garbage-free. */
class CodeScannerTest {
    private static final long PAGE = 0x0010_1000L;
    private final CodeScanner scanner = new CodeScanner();

    @AfterEach
    void close() { scanner.close(); }

    /** A page of nops with {@code hex} at {@code at}. */
    private static byte[] page(int at, String hex) {
        byte[] page = new byte[PAGE_SIZE];
        Arrays.fill(page, (byte) 0x90);
        byte[] code = HexFormat.of().parseHex(hex.replace(" ", ""));
        System.arraycopy(code, 0, page, at, code.length);
        return page;
    }

    private static void assertHit(ScanResult r, int i, int offset, int length, SensitiveClass c) {
        assertEquals(offset, r.offset(i), "offset of hit " + i + " in " + r);
        assertEquals(length, r.length(i), "length of hit " + i + " in " + r);
        assertEquals(c, r.sensitiveClass(i), "class of hit " + i + " in " + r);
    }

    @Test
    void findsTheSensitiveInstructionsOfASmallFunctionAtTheirOffsets() {
        byte[] page = page(0x100, String.join(" ",
                "55",                   // 0x100 push ebp
                "89 e5",                // 0x101 mov ebp, esp
                "fa",                   // 0x103 cli
                "b0 41",                // 0x104 mov al, 0x41
                "ba f8 03 00 00",       // 0x106 mov edx, 0x3f8
                "ee",                   // 0x10b out dx, al
                "8b 45 08",             // 0x10c mov eax, [ebp+8]
                "0f 22 d8",             // 0x10f mov cr3, eax
                "64 a1 00 00 00 00",    // 0x112 mov eax, fs:[0]   (ordinary: an override, not a segment operand)
                "e8 00 00 00 00",       // 0x118 call rel32
                "fb",                   // 0x11d sti
                "5d",                   // 0x11e pop ebp
                "c3"));                 // 0x11f ret
        ScanResult r = scanner.scan(page, 0x100, PAGE, 32, null);
        assertEquals(4, r.count(), r.toString());
        assertHit(r, 0, 0x103, 1, CLI);
        assertHit(r, 1, 0x10b, 1, IO);
        assertHit(r, 2, 0x10f, 3, MOV_CR_WRITE);
        assertHit(r, 3, 0x11d, 1, STI);
        assertEquals(MOV_CR_WRITE, r.classAt(0x10f));
        assertNull(r.classAt(0x110));
        assertEquals(PAGE_SIZE, r.endOffset());
        assertFalse(r.needsNextPage());
        assertEquals(0, r.undecodableBytes());
        assertEquals(-1, r.firstUndecodableOffset());
        assertEquals(13 + (PAGE_SIZE - 0x120), r.instructionCount());
    }

    @Test
    void theSweepStartsAtTheStartOffset() {
        byte[] page = page(0, "fa 90 fb");                       // cli ; nop ; sti
        ScanResult r = scanner.scan(page, 1, PAGE, 32, null);
        assertEquals(1, r.count());
        assertHit(r, 0, 2, 1, STI);
    }

    @Test
    void anInstructionCrossingThePageEndIsDecodedWithTheNextPagesBytes() {
        byte[] page = page(PAGE_SIZE - 2, "0f 01");              // lgdt [0x102998] = 0f 01 15 98 29 10 00
        byte[] next = page(0, "15 98 29 10 00 fa");              // ... and a cli the next page's sweep will find
        ScanResult r = scanner.scan(page, 0, PAGE, 32, next);
        assertEquals(1, r.count(), r.toString());
        assertHit(r, 0, PAGE_SIZE - 2, 7, LGDT);
        assertEquals(PAGE_SIZE + 5, r.endOffset(), "the next page's sweep starts 5 bytes in");
        assertFalse(r.needsNextPage());

        ScanResult following = scanner.scan(next, r.endOffset() - PAGE_SIZE, PAGE + PAGE_SIZE, 32, null);
        assertHit(following, 0, 5, 1, CLI);
    }

    @Test
    void withoutTheNextPageTheSweepStopsBeforeACutOffInstruction() {
        byte[] page = page(PAGE_SIZE - 5, "fa 90 90 0f 22");      // cli ; nop ; nop ; mov cr3, eax cut after 0f 22
        ScanResult r = scanner.scan(page, 0, PAGE, 32, null);
        assertEquals(1, r.count(), r.toString());
        assertHit(r, 0, PAGE_SIZE - 5, 1, CLI);
        assertTrue(r.needsNextPage());
        assertEquals(PAGE_SIZE - 2, r.endOffset());
        assertEquals(0, r.undecodableBytes());

        ScanResult whole = scanner.scan(page, 0, PAGE, 32, page(0, "d8"));
        assertEquals(MOV_CR_WRITE, whole.classAt(PAGE_SIZE - 2));
        assertEquals(PAGE_SIZE + 1, whole.endOffset());
    }

    @Test
    void undecodableBytesAreCountedAndSteppedOverOneByOne() {
        byte[] page = page(0x10, String.join(" ",
                "f0 f0 fa",             // 0x10 lock lock cli: invalid at 0x10 and 0x11, then a cli at 0x12
                "0f 04",                // 0x13 no such opcode: invalid at 0x13, then "04 0f" = add al, 0xf
                "0f a2"));              // 0x16 cpuid... unless the skip after 0f 04 swallowed its first byte
        ScanResult r = scanner.scan(page, 0x10, PAGE, 32, null);
        assertEquals(3, r.undecodableBytes(), r.toString());
        assertEquals(0x10, r.firstUndecodableOffset());
        assertHit(r, 0, 0x12, 1, CLI);
        // Resynchronising by single bytes decodes 04 0f as "add al, 0x0f", then a2 90 90 90 90 as a moffs store:
        // the cpuid is lost. This is the linear sweep's known limitation on data mixed with code.
        assertEquals(1, r.count(), r.toString());
    }

    @Test
    void sixteenBitCodeDecodesInSixteenBitMode() {
        byte[] page = page(0x7c00 & 0xFFF, String.join(" ",
                "fa",                       // cli
                "31 c0",                    // xor ax, ax
                "8e d8",                    // mov ds, ax
                "0f 01 16 40 7c",           // lgdt [0x7c40]
                "0f 20 c0",                 // mov eax, cr0
                "66 83 c8 01",              // or eax, 1
                "0f 22 c0",                 // mov cr0, eax
                "66 ea 00 00 10 00 08 00")); // jmp dword 0x8:0x100000
        int at = 0x7c00 & 0xFFF;
        ScanResult r = scanner.scan(page, at, 0x7000, 16, null);
        assertEquals(6, r.count(), r.toString());
        assertHit(r, 0, at, 1, CLI);
        assertHit(r, 1, at + 3, 2, SEG_MOV_WRITE);
        assertHit(r, 2, at + 5, 5, LGDT);
        assertHit(r, 3, at + 10, 3, MOV_CR_READ);
        assertHit(r, 4, at + 17, 3, MOV_CR_WRITE);
        assertHit(r, 5, at + 20, 8, FAR_JMP);
    }

    @Test
    void badArgumentsAreRefused() {
        byte[] page = page(0, "90");
        assertThrows(IllegalArgumentException.class, () -> scanner.scan(page, PAGE_SIZE, PAGE, 32, null));
        assertThrows(IllegalArgumentException.class, () -> scanner.scan(page, -1, PAGE, 32, null));
        assertThrows(IllegalArgumentException.class, () -> scanner.scan(page, 0, PAGE, 64, null));
        assertThrows(IllegalArgumentException.class, () -> scanner.scan(new byte[100], 0, PAGE, 32, null));
        assertThrows(IllegalArgumentException.class, () -> scanner.scan(page, 0, PAGE, 32, new byte[3]));
    }

    /**
     * A scan allocates its result, never per instruction: 900 more scans of a page of 2,048 instructions that all go
     * to Capstone (pause, f3 90: the Java fast path declines rep prefixes) must not allocate more than about a
     * kilobyte a scan (an object per instruction would be 32 KiB a scan). Bytes, not time: deterministic.
     */
    @Test
    void aScanAllocatesNothingPerInstruction() {
        byte[] page = new byte[PAGE_SIZE];
        for (int i = 0; i < PAGE_SIZE; i += 2) {
            page[i] = (byte) 0xF3;
            page[i + 1] = (byte) 0x90;
        }
        page[0x800] = (byte) 0xFA;                               // cli ; nop  instead of one pause
        ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        allocatedBy(page, 200, threads);                         // warm up: class loading and JIT compilation
        long few = allocatedBy(page, 100, threads);
        long many = allocatedBy(page, 1000, threads);
        assertTrue((many - few) / 900 < 1024, "a scan allocated " + (many - few) / 900 + " bytes");
        assertEquals(CLI, scanner.scan(page, 0, PAGE, 32, null).classAt(0x800));
    }

    private long allocatedBy(byte[] page, int scans, ThreadMXBean threads) {
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < scans; i++) scanner.scan(page, 0, PAGE, 32, null);
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    /**
     * ud0 and ud1 have a ModRM byte (as the CPU and GNU as see them; Capstone 5 says two bytes): the sweep steps over
     * it, so the C5 16 in the immediate of the mov after them is not taken for an lds.
     */
    @Test
    void ud0AndUd1AreAsLongAsTheCpuSays() {
        for (String ud : new String[] {"0f ff c0", "0f b9 40 10", "66 0f ff 84 24 00 01 00 00"}) {
            ScanResult r = scanner.scan(page(0x20, ud + " b9 06 00 00 00 ba c5 16 10 00 fa"), 0, PAGE, 32, null);
            assertEquals(1, r.count(), ud + ": " + r);
            assertEquals(CLI, r.sensitiveClass(0), ud + ": " + r);
        }
    }

    /**
     * Anchors (where the CPU was seen to start a block) win over the sweep: an instruction decoded across one is no
     * instruction, and the sweep starts again at the anchor. Here a 16-bit far jmp (5 bytes) read as 32-bit code is 7
     * bytes and would swallow the first two of the 32-bit code it jumps to.
     */
    @Test
    void anAnchorResynchronisesTheSweepAndEveryAnchorIsDecoded() {
        byte[] page = page(0x10, "ea 15 10 08 00 66 b8 10 00 8e d8");   // ljmp (16-bit); mov ax, 0x10; mov ds, ax
        ScanResult unanchored = scanner.scan(page, 0, PAGE, 32, null);
        assertFalse(unanchored.isInstructionStart(0x15), unanchored.toString());
        ScanResult anchored = scanner.scan(page, 0, PAGE, 32, null, new int[] {0x15});
        assertTrue(anchored.isInstructionStart(0x15));
        assertTrue(anchored.isInstructionStart(0x19));
        assertEquals(SEG_MOV_WRITE, anchored.classAt(0x19), anchored.toString());
        assertNull(anchored.classAt(0x10), "the far jmp decoded across the anchor is dropped: " + anchored);

        // An anchor before the start offset moves the start back; one past a cut-off end of page is still decoded.
        ScanResult early = scanner.scan(page(0x4, "fa"), 0x100, PAGE, 32, null, new int[] {0x4});
        assertEquals(CLI, early.classAt(0x4), early.toString());
        byte[] tail = page(PAGE_SIZE - 8, "0f 0f 0f 0f fa f4 90 90");   // undecodable, then cli; hlt
        ScanResult cut = scanner.scan(tail, PAGE_SIZE - 8, PAGE, 32, null, new int[] {PAGE_SIZE - 4});
        assertTrue(cut.isInstructionStart(PAGE_SIZE - 4), cut.toString());
        assertEquals(CLI, cut.classAt(PAGE_SIZE - 4), cut.toString());
    }

    /**
     * A mov to or from a segment register that does not exist (8C /6, /7; 8E /6, /7) is #UD but has its ModRM byte like
     * any mov (Capstone declines it): the sweep steps over both bytes, and does not take the FA of 8C FA for a cli
     * to rewrite, which corrupted the instruction in full mode (found by the differential tester).
     */
    @Test
    void movWithAnUndefinedSegmentRegisterIsAsLongAsTheCpuSays() {
        for (String bad : new String[] {"8c fa", "66 8c f2", "8e f8", "8c 7c 24 08", "8e b0 00 01 00 00"}) {
            ScanResult r = scanner.scan(page(0x20, bad + " b9 06 00 00 00 ba c5 16 10 00 fa"), 0, PAGE, 32, null);
            assertEquals(1, r.count(), bad + ": " + r);
            assertEquals(CLI, r.sensitiveClass(0), bad + ": " + r);
            assertEquals(0x20 + (bad.length() + 1) / 3 + 10, r.offset(0), bad + ": " + r);
        }
    }
}
