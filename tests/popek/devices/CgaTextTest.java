package popek.devices;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import popek.memory.GuestMemory;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The CGA text screen read back from guest memory, and the CRTC's registers. */
class CgaTextTest {
    private final GuestMemory ram = new GuestMemory(1 << 20);
    private final CgaText cga = new CgaText(ram);

    @AfterEach
    void close() { ram.close(); }

    private void put(int row, int col, String s) {
        for (int i = 0; i < s.length(); i++) {
            ram.write8(CgaText.BUFFER + 2L * (row * 80 + col + i), s.charAt(i));
            ram.write8(CgaText.BUFFER + 2L * (row * 80 + col + i) + 1, 0x07);
        }
    }

    @Test
    void theScreenReadsBackAsLinesFromTheDisplayStart() {
        put(0, 0, "hello");
        put(24, 75, "end\u00db");   // a block character, shown as '.'
        String[] lines = cga.text().split("\n", -1);
        assertEquals(26, lines.length);
        assertEquals("hello", lines[0]);
        assertEquals("", lines[1]);
        assertEquals(" ".repeat(75) + "end.", lines[24]);
        // scroll one line: display start 80
        cga.writeByte(CgaText.INDEX, 0x0C);
        cga.writeByte(CgaText.DATA, 0);
        cga.writeByte(CgaText.INDEX, 0x0D);
        cga.writeByte(CgaText.DATA, 80);
        assertEquals(" ".repeat(75) + "end.", cga.text().split("\n")[23]);
    }

    @Test
    void theCursorRegisters() {
        cga.writeByte(CgaText.INDEX, 0x0E);
        cga.writeByte(CgaText.DATA, 0x01);
        cga.writeByte(CgaText.INDEX, 0x0F);
        cga.writeByte(CgaText.DATA, 0x40);
        assertEquals(0x140, cga.cursor());
        assertEquals(0x0F, cga.readByte(CgaText.INDEX));
        assertEquals(0x40, cga.readByte(CgaText.DATA));
        cga.writeByte(CgaText.INDEX, 0x1F);
        assertEquals(0xFF, cga.readByte(CgaText.DATA), "no such register");
    }
}
