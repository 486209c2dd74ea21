package popek.translate;

import java.nio.file.Files;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import popek.engine.Capstone;
import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Java fast path against Capstone: whenever {@link OrdinaryLength} gives a length, Capstone must decode the same
 * bytes as a valid instruction of that length that the classifier calls ordinary. Exhaustive over every opcode (one
 * and two bytes) and every ModRM byte, under several prefix sets, in 16- and 32-bit code, with random bytes after
 * (so SIB bytes and displacements vary); then whole random pages and tinyos scanned with and without the fast path.
 */
class OrdinaryLengthTest {
    private static final String[] PREFIXES = {"", "66", "67", "6667", "2e", "643e66", "3667"};
    private static Capstone capstone16, capstone32;

    @BeforeAll
    static void open() {
        capstone16 = new Capstone(16);
        capstone32 = new Capstone(32);
    }

    @AfterAll
    static void close() {
        capstone16.close();
        capstone32.close();
    }

    @Test
    void everyLengthItGivesIsCapstonesAndEveryInstructionItMeasuresIsOrdinary() {
        Random random = new Random(1974);
        byte[] code = new byte[32];
        int measured = 0;
        for (int bits : new int[] {16, 32}) {
            Capstone capstone = bits == 16 ? capstone16 : capstone32;
            for (String prefixHex : PREFIXES) {
                byte[] prefix = HexFormat.of().parseHex(prefixHex);
                for (int opcode = 0; opcode < 512; opcode++) {         // 0x100 + n stands for 0F n
                    for (int modrm = 0; modrm < 256; modrm++) {
                        random.nextBytes(code);
                        System.arraycopy(prefix, 0, code, 0, prefix.length);
                        int at = prefix.length;
                        if (opcode >= 0x100) code[at++] = 0x0F;
                        code[at++] = (byte) opcode;
                        code[at] = (byte) modrm;
                        int length = OrdinaryLength.of(code, 0, code.length, bits);
                        if (length == 0) continue;
                        measured++;
                        capstone.load(code, code.length, 0x1000);
                        int expected = capstone.decodeLoaded(0);
                        if (expected != length) {
                            fail(bits + "-bit " + HexFormat.ofDelimiter(" ").formatHex(code, 0, Math.max(length, expected) + 1)
                                    + ": Java says " + length + " bytes, Capstone " + expected);
                        }
                        assertNull(InstructionClassifier.classify(capstone.loadedId(), code, 0, length),
                                () -> capstone.instructionName(capstone.loadedId()) + " is sensitive");
                    }
                }
            }
        }
        assertTrue(measured > 900_000, "the fast path measured only " + measured + " encodings");
    }

    @Test
    void itNeverReadsPastTheEndItIsGiven() {
        byte[] code = HexFormat.of().parseHex("8b842400100000");        // mov eax, [esp+0x1000]: 7 bytes
        for (int end = 0; end < 7; end++) assertEquals(0, OrdinaryLength.of(code, 0, end, 32), "end " + end);
        assertEquals(7, OrdinaryLength.of(code, 0, 7, 32));
    }

    @Test
    void randomPagesScanTheSameWithAndWithoutTheFastPath() {
        Random random = new Random(2000);
        byte[] page = new byte[CodeScanner.PAGE_SIZE], next = new byte[CodeScanner.PAGE_SIZE];
        try (CodeScanner fast = new CodeScanner(true); CodeScanner reference = new CodeScanner(false)) {
            for (int i = 0; i < 200; i++) {
                random.nextBytes(page);
                random.nextBytes(next);
                int bits = i % 2 == 0 ? 32 : 16;
                byte[] following = i % 3 == 0 ? null : next;
                assertSame(reference.scan(page, 0, 0x4000, bits, following), fast.scan(page, 0, 0x4000, bits, following));
            }
        }
    }

    @Test
    void tinyosScansTheSameWithAndWithoutTheFastPath() throws Exception {
        byte[] elf = Files.readAllBytes(GuestRun.guestImage("tinyos.elf"));
        byte[] page = new byte[CodeScanner.PAGE_SIZE], next = new byte[CodeScanner.PAGE_SIZE];
        try (CodeScanner fast = new CodeScanner(true); CodeScanner reference = new CodeScanner(false)) {
            for (int fileOffset = 0x1000; fileOffset + 2 * CodeScanner.PAGE_SIZE <= elf.length; fileOffset += CodeScanner.PAGE_SIZE) {
                System.arraycopy(elf, fileOffset, page, 0, page.length);
                System.arraycopy(elf, fileOffset + page.length, next, 0, next.length);
                assertSame(reference.scan(page, 0, fileOffset, 32, next), fast.scan(page, 0, fileOffset, 32, next));
            }
        }
    }

    private static void assertSame(ScanResult expected, ScanResult actual) {
        for (int i = 0; i < Math.min(expected.count(), actual.count()); i++) {
            String hit = "hit " + i + " of Capstone's at 0x" + Integer.toHexString(expected.offset(i));
            assertEquals(expected.offset(i), actual.offset(i), hit);
            assertEquals(expected.length(i), actual.length(i), hit);
            assertEquals(expected.sensitiveClass(i), actual.sensitiveClass(i), hit);
        }
        assertEquals(expected.count(), actual.count());
        assertEquals(expected.instructionCount(), actual.instructionCount());
        assertEquals(expected.endOffset(), actual.endOffset());
        assertEquals(expected.needsNextPage(), actual.needsNextPage());
        assertEquals(expected.undecodableBytes(), actual.undecodableBytes());
        assertEquals(expected.firstUndecodableOffset(), actual.firstUndecodableOffset());
    }
}
