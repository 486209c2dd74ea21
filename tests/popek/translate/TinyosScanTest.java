package popek.translate;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import popek.testing.GuestRun;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.translate.CodeScanner.PAGE_SIZE;
import static popek.translate.SensitiveClass.*;

/**
 * Scans the kernel text of the real guest the build made, target/guest-images/tinyos.elf, page by page as full
 * virtualisation will, and finds its sensitive instructions where {@code objdump -d} shows them: at fixed addresses
 * in the hand-written entry code, and as each function's sequence in the compiled C (found through the symbol table,
 * so the test survives a recompilation that moves them).
 */
class TinyosScanTest {
    /** Linear address to class of every sensitive instruction in .text, from {@code _start} on. */
    private static final TreeMap<Long, SensitiveClass> found = new TreeMap<>();
    private static final Map<String, long[]> functions = new HashMap<>();
    private static int undecodable;

    @BeforeAll
    static void scanTheKernelText() throws IOException {
        Elf elf = new Elf(Files.readAllBytes(GuestRun.guestImage("tinyos.elf")));
        long[] text = elf.section(".text");
        long textEnd = text[0] + text[1];
        functions.putAll(elf.functionRanges(text[0], textEnd));
        long start = functions.get("_start")[0];    // .text begins with the Multiboot header: data, not code

        try (CodeScanner scanner = new CodeScanner()) {
            long page = start & -PAGE_SIZE;
            int offset = (int) (start - page);
            while (page < textEnd) {
                // Only .text's own bytes (zeros after it, which decode as "add [eax], al"): .rodata is not code.
                ScanResult r = scanner.scan(elf.page(page, textEnd), offset, page, 32, elf.page(page + PAGE_SIZE, textEnd));
                for (int i = 0; i < r.count(); i++) found.put(page + r.offset(i), r.sensitiveClass(i));
                undecodable += r.undecodableBytes();
                offset = r.endOffset() - PAGE_SIZE;
                page += PAGE_SIZE;
            }
        }
    }

    @Test
    void theEntryCodesInstructionsAreAtTheirAddresses() {
        // guest-images/lib/entry.S, the first code in .text (objdump -d tinyos.elf):
        assertEquals(CLI, found.get(0x10000cL));             // cli
        assertEquals(LGDT, found.get(0x100019L));            // lgdtl 0x102998
        assertEquals(FAR_JMP, found.get(0x100020L));         // ljmp $0x8,$0x100027
        for (long a = 0x10002b; a <= 0x100033; a += 2) {
            assertEquals(SEG_MOV_WRITE, found.get(a));       // mov %ecx,%ds / %es / %fs / %gs / %ss
        }
        assertEquals(POPF, found.get(0x10003eL));            // popfl
        assertEquals(List.of(CLI, LGDT, FAR_JMP, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE,
                SEG_MOV_WRITE, POPF), classesIn("_start"));
    }

    @Test
    void eachFunctionHasTheSensitiveInstructionsObjdumpShows() {
        assertEquals(List.of(MOV_CR_WRITE, MOV_CR_READ, MOV_CR_WRITE), classesIn("paging_enable")); // cr3, cr0, cr0
        assertEquals(List.of(INVLPG), classesIn("paging_set"));
        assertEquals(List.of(LIDT), classesIn("idt_load"));
        assertEquals(List.of(CLI, HLT), classesIn("halt_forever"));
        assertEquals(List.of(LGDT, FAR_JMP, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE,
                SEG_MOV_WRITE, LTR), classesIn("gdt_init"));
        assertEquals(List.of(SEG_PUSH, SEG_PUSH, SEG_PUSH, SEG_PUSH, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE,
                SEG_MOV_WRITE), classesIn("isr_common"));
        assertEquals(List.of(SEG_POP, SEG_POP, SEG_POP, SEG_POP, IRET), classesIn("isr_return"));
        assertEquals(List.of(PUSHF, PUSHF, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE, IRET),
                classesIn("user_call"));
        assertEquals(List.of(SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE, SEG_MOV_WRITE, POPF), classesIn("user_resume"));
        assertEquals(List.of(MOV_CR_READ, MOV_CR_READ), classesIn("on_exception"));           // mov %cr2,%edi
        assertTrue(classesIn("pic_remap").stream().allMatch(c -> c == IO) && classesIn("pic_remap").size() >= 8);
        assertEquals(List.of(IO, IO), classesIn("serial_getc"));                               // inb lsr, inb rbr
    }

    @Test
    void theTextDecodesCleanly() {
        assertEquals(0, undecodable, "gcc's text holds no data, so no byte of it is undecodable");
    }

    @Test
    void ordinaryCodeStaysOrdinary() {
        // memcpy/memset use rep movsb/stosb: string instructions, but not I/O.
        assertEquals(List.of(), classesIn("memcpy"));
        assertEquals(List.of(), classesIn("memset"));
        assertEquals(List.of(), classesIn("kvprintf"));
    }

    private static List<SensitiveClass> classesIn(String function) {
        long[] range = functions.get(function);
        assertTrue(range != null, "tinyos.elf has no symbol " + function);
        return new ArrayList<>(found.subMap(range[0], range[1]).values());
    }

    /** Just enough of ELF32: loadable segments by address, section bounds, and each text symbol's extent. */
    private record Elf(ByteBuffer b) {
        Elf(byte[] file) { this(ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN)); }

        /** The 4 KiB page at {@code address} as the PT_LOAD program headers lay the file out, zeros elsewhere and from {@code end}. */
        byte[] page(long address, long end) {
            byte[] page = new byte[PAGE_SIZE];
            int phoff = b.getInt(0x1C), phentsize = b.getShort(0x2A), phnum = b.getShort(0x2C);
            for (int i = 0; i < phnum; i++) {
                int ph = phoff + i * phentsize;
                if (b.getInt(ph) != 1) continue;                                  // PT_LOAD
                long fileOffset = b.getInt(ph + 4), vaddr = b.getInt(ph + 8) & 0xFFFFFFFFL, filesz = b.getInt(ph + 16);
                long from = Math.max(address, vaddr), to = Math.min(Math.min(address + PAGE_SIZE, vaddr + filesz), end);
                for (long a = from; a < to; a++) page[(int) (a - address)] = b.get((int) (fileOffset + a - vaddr));
            }
            return page;
        }

        /** {address, size} of the named section. */
        long[] section(String name) {
            int shoff = b.getInt(0x20), shentsize = b.getShort(0x2E), shnum = b.getShort(0x30), shstrndx = b.getShort(0x32);
            int names = b.getInt(shoff + shstrndx * shentsize + 16);
            for (int i = 0; i < shnum; i++) {
                int sh = shoff + i * shentsize;
                if (string(names + b.getInt(sh)).equals(name)) return new long[] {b.getInt(sh + 12) & 0xFFFFFFFFL, b.getInt(sh + 20)};
            }
            throw new AssertionError("no section " + name);
        }

        /** Each symbol in [from, to) mapped to {its address, the next symbol's address}: objdump's function extents. */
        Map<String, long[]> functionRanges(long from, long to) {
            int shoff = b.getInt(0x20), shentsize = b.getShort(0x2E), shnum = b.getShort(0x30);
            TreeMap<Long, String> byAddress = new TreeMap<>();
            for (int i = 0; i < shnum; i++) {
                int sh = shoff + i * shentsize;
                if (b.getInt(sh + 4) != 2) continue;                              // SHT_SYMTAB
                int symbols = b.getInt(sh + 16), size = b.getInt(sh + 20);
                int strings = b.getInt(shoff + b.getInt(sh + 24) * shentsize + 16);
                for (int s = symbols; s < symbols + size; s += 16) {
                    long value = b.getInt(s + 4) & 0xFFFFFFFFL;
                    String name = string(strings + b.getInt(s));
                    if (value >= from && value < to && !name.isEmpty()) byAddress.putIfAbsent(value, name);
                }
            }
            Map<String, long[]> ranges = new HashMap<>();
            byAddress.forEach((address, name) -> {
                Long next = byAddress.higherKey(address);
                ranges.put(name, new long[] {address, next == null ? to : next});
            });
            return ranges;
        }

        private String string(int at) {
            StringBuilder s = new StringBuilder();
            for (int i = at; b.get(i) != 0; i++) s.append((char) b.get(i));
            return s.toString();
        }
    }
}
