package popek.e2e;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The para builds of the shipped guests say what they are (pv.h, section 1): a PT_NOTE "Popek" of type
 * POPEK_NOTE_PARA whose description is the ABI version and two page-aligned pages inside the loaded image (its bss
 * included), distinct from each other; the unmodified builds carry no such note. Read straight from the ELF files,
 * so it holds whatever the host does with them.
 */
class ParaGuestImageTest {
    private static final int PT_LOAD = 1, PT_NOTE = 4;
    private static final int NOTE_PARA = 0x50560001, ABI = 0x00010000;

    /** The note's three words, or null if the image has none. */
    private static int[] popekNote(ByteBuffer elf) {
        int phoff = elf.getInt(28), phentsize = elf.getShort(42) & 0xFFFF, phnum = elf.getShort(44) & 0xFFFF;
        for (int i = 0; i < phnum; i++) {
            int ph = phoff + i * phentsize;
            if (elf.getInt(ph) != PT_NOTE) continue;
            int off = elf.getInt(ph + 4), end = off + elf.getInt(ph + 16);
            while (off + 12 <= end) {
                int namesz = elf.getInt(off), descsz = elf.getInt(off + 4), type = elf.getInt(off + 8);
                byte[] name = new byte[namesz];
                elf.get(off + 12, name);
                int desc = off + 12 + (namesz + 3 & ~3);
                if (new String(name, java.nio.charset.StandardCharsets.US_ASCII).equals("Popek\0") && type == NOTE_PARA
                        && descsz == 12) {
                    return new int[] {elf.getInt(desc), elf.getInt(desc + 4), elf.getInt(desc + 8)};
                }
                off = desc + (descsz + 3 & ~3);
            }
        }
        return null;
    }

    /** True if [addr, addr + 4096) lies inside one PT_LOAD segment's memory image. */
    private static boolean inImage(ByteBuffer elf, long addr) {
        int phoff = elf.getInt(28), phentsize = elf.getShort(42) & 0xFFFF, phnum = elf.getShort(44) & 0xFFFF;
        for (int i = 0; i < phnum; i++) {
            int ph = phoff + i * phentsize;
            if (elf.getInt(ph) != PT_LOAD) continue;
            long pa = elf.getInt(ph + 12) & 0xFFFFFFFFL, memsz = elf.getInt(ph + 20) & 0xFFFFFFFFL;
            if (addr >= pa && addr + 4096 <= pa + memsz) return true;
        }
        return false;
    }

    private static ByteBuffer read(String name) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(GuestRun.guestImage(name))).order(ByteOrder.LITTLE_ENDIAN);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"tinyos", "trapbench"})
    void paraBuildCarriesTheNote(String guest) throws IOException {
        ByteBuffer elf = read(guest + "-para.elf");
        int[] note = popekNote(elf);
        assertNotNull(note, guest + "-para.elf has no Popek PT_NOTE");
        assertEquals(ABI, note[0]);
        long hypercallPage = note[1] & 0xFFFFFFFFL, sharedInfo = note[2] & 0xFFFFFFFFL;
        assertEquals(0, hypercallPage & 0xFFF, "hypercall page not page-aligned");
        assertEquals(0, sharedInfo & 0xFFF, "shared-info page not page-aligned");
        assertTrue(hypercallPage != sharedInfo, "one page for both");
        assertTrue(inImage(elf, hypercallPage), "hypercall page outside the loaded image");
        assertTrue(inImage(elf, sharedInfo), "shared-info page outside the loaded image");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"hello", "tinyos", "trapbench"})
    void unmodifiedBuildHasNoNote(String guest) throws IOException {
        assertNull(popekNote(read(guest + ".elf")), guest + ".elf must not claim to be para-virtualised");
    }
}
