package popek.engine;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The binding against the real Capstone 5: one-instruction decoding, the allocation-free sweep, instruction names. */
class CapstoneTest {
    private final Capstone capstone = new Capstone(32);

    @AfterEach
    void close() { capstone.close(); }

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) out[i] = (byte) b[i];
        return out;
    }

    @Test
    void decodesOneInstructionWithItsText() {
        Capstone.Instruction insn = capstone.decode(bytes(0x0F, 0x22, 0xD8), 3, 0x1000);   // mov cr3, eax
        assertEquals(3, insn.length());
        assertEquals("mov cr3, eax", insn.text());
        assertNull(capstone.decode(bytes(0x0F, 0x04), 2, 0));                               // no such opcode
    }

    @Test
    void theSweepDecodesSuccessiveInstructionsOfTheLoadedCode() {
        // cli ; mov eax, 0x111000 ; (0F 04: invalid) ; hlt
        byte[] code = bytes(0xFA, 0xB8, 0x00, 0x10, 0x11, 0x00, 0x0F, 0x04, 0xF4);
        capstone.load(code, code.length, 0x100000);
        assertEquals(1, capstone.decodeLoaded(0));
        assertEquals("cli", capstone.instructionName(capstone.loadedId()));
        assertEquals(5, capstone.decodeLoaded(1));
        assertEquals("mov", capstone.instructionName(capstone.loadedId()));
        assertEquals(0, capstone.decodeLoaded(6));
        assertEquals(1, capstone.decodeLoaded(8));
        assertEquals("hlt", capstone.instructionName(capstone.loadedId()));
        assertEquals(0, capstone.decodeLoaded(9), "past the loaded bytes");
    }

    @Test
    void theSweepNeverReadsPastTheLoadedLength() {
        byte[] code = bytes(0x90, 0x0F, 0x22, 0xD8);                      // nop ; mov cr3, eax
        capstone.load(code, 3, 0);                                         // ... cut after 0F 22
        assertEquals(0, capstone.decodeLoaded(1));
        capstone.load(code, 4, 0);
        assertEquals(3, capstone.decodeLoaded(1));
    }

    @Test
    void aLongerLoadReplacesTheBuffer() {
        byte[] big = new byte[20_000];
        java.util.Arrays.fill(big, (byte) 0x90);
        big[19_999] = (byte) 0xF4;                                         // hlt at the very end
        capstone.load(big, big.length, 0);
        assertEquals(1, capstone.decodeLoaded(19_999));
        assertEquals("hlt", capstone.instructionName(capstone.loadedId()));
    }

    @Test
    void instructionNamesEndWithNull() {
        assertNull(capstone.instructionName(0));
        int last = 1;
        while (capstone.instructionName(last + 1) != null) last++;
        assertEquals(true, last > 1000, "Capstone 5 knows over a thousand x86 instructions, not " + last);
        assertNull(capstone.instructionName(last + 1));
    }
}
