package popek.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MemorySizeTest {
    private static long parse(String s) throws InvalidMemorySizeException { return MemorySize.parse(s).bytes(); }

    private static String refusal(String s) {
        return assertThrows(InvalidMemorySizeException.class, () -> MemorySize.parse(s)).getMessage();
    }

    @Test void acceptsTheUsualSpellings() throws Exception {
        assertEquals(64L << 20, parse("64M"));
        assertEquals(64L << 20, parse("64m"));
        assertEquals(64L << 20, parse("64MiB"));
        assertEquals(64L << 20, parse("64MB"));
        assertEquals(64L << 20, parse("65536K"));
        assertEquals(64L << 20, parse("65536KiB"));
        assertEquals(64L << 20, parse("67108864"));
        assertEquals(1L << 30, parse("1G"));
        assertEquals(1L << 30, parse(" 1 GiB "));
        assertEquals(3L << 30, parse("3G"));
        assertEquals(2L << 20, parse("2M"));
    }

    @Test void rejectsWhatIsNotASize() {
        assertEquals("--memory: '12Q' is not a size (use e.g. 64M or 1G)", refusal("12Q"));
        assertEquals("--memory: '' is not a size (use e.g. 64M or 1G)", refusal(""));
        assertEquals("--memory: '1.5G' is not a size (use e.g. 64M or 1G)", refusal("1.5G"));
        assertEquals("--memory: '-64M' is not a size (use e.g. 64M or 1G)", refusal("-64M"));
        assertEquals("--memory: 'M' is not a size (use e.g. 64M or 1G)", refusal("M"));
    }

    @Test void rejectsSizesPopekCannotUse() {
        assertEquals("--memory: '1M' is too small; at least 2 MiB", refusal("1M"));
        assertTrue(refusal("4G").startsWith("--memory: '4G' is too large; at most 3 GiB"));
        assertTrue(refusal("99999999999999999999999G").contains("too large"));
        assertTrue(refusal("9999999999999G").contains("too large"), "overflow while multiplying");
        assertEquals("--memory: '3000001' is not a multiple of 4 KiB", refusal("3000001"));
        assertEquals("--memory: '2050K' is not a multiple of 4 KiB", refusal("2050K"));
    }

    @Test void formatsInTheLargestExactUnit() {
        assertEquals("64 MiB", MemorySize.format(64L << 20));
        assertEquals("3 GiB", MemorySize.format(3L << 30));
        assertEquals("1536 KiB", MemorySize.format(1536L << 10));
        assertEquals("100 bytes", MemorySize.format(100));
        assertEquals("0 bytes", MemorySize.format(0));
        assertEquals("64 MiB", new MemorySize(64L << 20).toString());
        assertEquals(65536, new MemorySize(64L << 20).kib());
    }
}
