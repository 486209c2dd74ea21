package popek.platform.multiboot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static popek.platform.multiboot.KernelImages.aoutHeader;
import static popek.platform.multiboot.KernelImages.flat;
import static popek.platform.multiboot.KernelImages.header;
import static popek.platform.multiboot.KernelImages.pattern;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import popek.memory.GuestMemory;
import popek.platform.BootImageException;

class MultibootLoaderTest {
    private static final long RAM = 4L << 20;
    private GuestMemory ram;

    @BeforeEach void createRam() { ram = new GuestMemory(RAM); }

    @AfterEach void closeRam() { ram.close(); }

    private MultibootBoot load(byte[] image) throws BootImageException {
        return MultibootLoader.load(ram, image, "kernel.elf", "kernel.elf");
    }

    private String refusal(byte[] image) {
        return assertThrows(BootImageException.class, () -> load(image)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) assertTrue(message.contains(p), () -> "'" + message + "' should mention '" + p + "'");
    }

    // --- ELF kernels -------------------------------------------------------------------------------------------------

    @Test void elfSegmentsLandAtTheirPhysicalAddressesAndBssIsZeroed() throws Exception {
        byte[] text = pattern(0x300, 0), data = pattern(0x80, 7);
        byte[] image = new KernelImages.Elf().entry(0x100010).load(0x100000, text, 0x300).load(0x102000, data, 0x1000).build();
        ram.fill(0x102000, 0x2000, (byte) 0xAA);   // stale bytes the bss must not keep

        MultibootBoot boot = load(image);

        assertArrayEquals(text, ram.read(0x100000, text.length));
        assertArrayEquals(data, ram.read(0x102000, data.length));
        assertArrayEquals(new byte[0x1000 - 0x80], ram.read(0x102080, 0x1000 - 0x80), "bss zeroed");
        assertEquals(0xAA, ram.read8(0x103000), "nothing written past the segment's p_memsz");
        assertEquals(0x100010, boot.entry());
        assertEquals(0x2BADB002, boot.eax());
        assertEquals(0x9000, boot.ebx());
        assertEquals(0x9000, boot.esp());
        assertEquals(0x2, boot.eflags());
        assertEquals(0x11, boot.cr0());
        assertEquals(0x100000, boot.kernelStart());
        assertEquals(0x103000, boot.kernelEnd());
        assertEquals(LoadPlan.Format.ELF32, boot.format());
        assertTrue(boot.summary().contains("entry 0x100010"));
    }

    @Test void higherHalfKernelLoadsAtPaddrAndItsEntryIsTranslatedToPhysical() throws Exception {
        byte[] text = pattern(0x40, 3);
        byte[] image = new KernelImages.Elf().entry(0xC010000CL).load(0xC0100000L, 0x100000, text, 0x40).build();
        MultibootBoot boot = load(image);
        assertEquals(0x10000C, boot.entry());
        assertArrayEquals(text, ram.read(0x100000, text.length));
    }

    @Test void entryAlreadyGivenAsPhysicalIsKept() throws Exception {
        byte[] image = new KernelImages.Elf().entry(0x100004).load(0xC0100000L, 0x100000, pattern(0x40, 0), 0x40).build();
        assertEquals(0x100004, load(image).entry());
    }

    @Test void nonLoadProgramHeadersAreIgnored() throws Exception {
        byte[] image = new KernelImages.Elf().entry(0x100000).note(pattern(16, 9)).load(0x100000, pattern(0x20, 0), 0x20).build();
        MultibootBoot boot = load(image);
        assertEquals(0x100000, boot.kernelStart());
        assertEquals(0x100020, boot.kernelEnd());
    }

    @Test void videoModeRequestIsRecordedAndOtherwiseIgnored() throws Exception {
        KernelImages.Elf elf = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        elf.multibootFlags = 0x7;
        MultibootHeader h = load(elf.build()).header();
        assertTrue(h.wantsVideoMode());
        assertTrue(h.wantsMemoryInfo());
        assertTrue(h.wantsPageAlignedModules());
    }

    // --- the boot information ---------------------------------------------------------------------------------------

    @Test void bootInformationReadsBackFromGuestRam() throws Exception {
        byte[] image = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20).build();
        MultibootBoot boot = MultibootLoader.load(ram, image, "hello.elf", "hello.elf console=ttyS0 quiet");
        long info = boot.infoAddress();

        assertEquals(1 | 1 << 2 | 1 << 3 | 1 << 6 | 1 << 9, ram.read32(info));
        assertEquals(639, ram.read32(info + 4), "mem_lower: KiB below the EBDA");
        assertEquals(3072, ram.read32(info + 8), "mem_upper: 4 MiB - 1 MiB in KiB");
        assertEquals("hello.elf console=ttyS0 quiet", cString(ram.read32(info + 16)));
        assertEquals(0, ram.read32(info + 20), "mods_count");
        assertEquals("Popek", cString(ram.read32(info + 64)));

        assertEquals(4 * 24, ram.read32(info + 44), "mmap_length");
        long e = Integer.toUnsignedLong(ram.read32(info + 48));
        long[][] expected = {{0, 0x9FC00, 1}, {0x9FC00, 0x400, 2}, {0xF0000, 0x10000, 2}, {0x100000, RAM - 0x100000, 1}};
        for (long[] want : expected) {
            assertEquals(20, ram.read32(e), "size field");
            assertEquals(want[0], ram.read64(e + 4), "base_addr");
            assertEquals(want[1], ram.read64(e + 12), "length");
            assertEquals(want[2], ram.read32(e + 20), "type");
            e += 24;
        }
        assertTrue(boot.infoEnd() > info && boot.infoEnd() <= MultibootInfo.BOOT_AREA_END);
        assertEquals(0, ram.read32(info + 12), "no boot_device: flag bit 1 is clear");
    }

    @Test void tooLongCommandLineIsRefused() {
        byte[] image = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20).build();
        String huge = "x".repeat(0x8000);
        String m = assertThrows(BootImageException.class, () -> MultibootLoader.load(ram, image, "k", huge)).getMessage();
        assertMentions(m, "command line is 32768 bytes", "at most");
        assertEquals(0, ram.read8(0x100000), "refused before anything was loaded");
    }

    @Test void commandLineWithNulIsRefused() {
        byte[] image = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20).build();
        String m = assertThrows(BootImageException.class, () -> MultibootLoader.load(ram, image, "k", "k a\0b")).getMessage();
        assertMentions(m, "NUL");
    }

    @Test void commandLineIsFileNameThenArguments() {
        assertEquals("hello.bin", MultibootLoader.commandLine("hello.bin", null));
        assertEquals("hello.bin", MultibootLoader.commandLine("hello.bin", "  "));
        assertEquals("hello.bin a=1 b", MultibootLoader.commandLine("hello.bin", " a=1 b "));
    }

    @Test void loadingFromAPathPassesTheFileNameNotTheHostPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("hello.bin");
        Files.write(file, new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20).build());
        MultibootBoot boot = MultibootLoader.load(ram, file, "console=ttyS0");
        assertEquals("hello.bin console=ttyS0", boot.commandLine());
        assertEquals("hello.bin console=ttyS0", cString(ram.read32(boot.infoAddress() + 16)));
    }

    @Test void missingFileIsNamed(@TempDir Path dir) {
        Path file = dir.resolve("nope.elf");
        String m = assertThrows(BootImageException.class, () -> MultibootLoader.load(ram, file, null)).getMessage();
        assertEquals(file + ": no such file", m);
    }

    @Test void fileTooBigForRamIsRefusedBeforeReading(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.elf");
        Files.write(file, new byte[(int) RAM + 4096]);
        String m = assertThrows(BootImageException.class, () -> MultibootLoader.load(ram, file, null)).getMessage();
        assertMentions(m, "big.elf", "too big for guest RAM (4 MiB)");
    }

    // --- a.out kludge -----------------------------------------------------------------------------------------------

    @Test void aoutKludgeLoadsTheWholeFileAtLoadAddrWithBss() throws Exception {
        byte[] code = pattern(0x200, 5);
        byte[] image = flat(code, 0, aoutHeader(0x3, 0x100000, 0x100000, 0, 0x101000, 0x100020));
        ram.fill(0x100200, 0xE00, (byte) 0xAA);
        MultibootBoot boot = load(image);
        assertArrayEquals(image, ram.read(0x100000, image.length));
        assertArrayEquals(new byte[0xE00], ram.read(0x100200, 0xE00));
        assertEquals(0x100020, boot.entry());
        assertEquals(0x100000, boot.kernelStart());
        assertEquals(0x101000, boot.kernelEnd());
        assertEquals(LoadPlan.Format.AOUT_KLUDGE, boot.format());
    }

    @Test void aoutKludgeFileOffsetFollowsFromTheHeaderPosition() throws Exception {
        // 0x40 bytes of file before load_addr's byte (e.g. an a.out exec header), the Multiboot header 0x20 after it,
        // and load_end_addr stopping before trailing junk.
        byte[] code = pattern(0x200, 1);
        byte[] image = flat(code, 0x60, aoutHeader(0, 0x200020, 0x200000, 0x200100, 0, 0x200000));
        MultibootBoot boot = load(image);
        byte[] expected = new byte[0x100];
        System.arraycopy(image, 0x40, expected, 0, 0x100);
        assertArrayEquals(expected, ram.read(0x200000, 0x100));
        assertEquals(0, ram.read8(0x200100), "load_end_addr respected");
        assertEquals(0x200100, boot.kernelEnd());
    }

    @Test void aoutKludgeIsUsedEvenForAnElfFile() throws Exception {
        // GRUB honours flag bit 16 before looking at the ELF headers; so does Popek.
        byte[] image = new KernelImages.Elf().entry(0x300000).load(0x300000, pattern(0x20, 0), 0x20).build();
        byte[] hdr = aoutHeader(0, 0x100000 + 52 + 32, 0x100000, 0, 0, 0x100000);
        System.arraycopy(hdr, 0, image, 52 + 32, hdr.length);
        MultibootBoot boot = load(image);
        assertEquals(LoadPlan.Format.AOUT_KLUDGE, boot.format());
        assertEquals(0x7F, ram.read8(0x100000));
    }

    @Test void aoutKludgeErrors() {
        byte[] code = pattern(0x200, 0);
        assertMentions(refusal(flat(code, 0, aoutHeader(0, 0x100000, 0x100010, 0, 0, 0x100010))), "header_addr 0x100000 is below load_addr");
        assertMentions(refusal(flat(code, 0x10, aoutHeader(0, 0x100040, 0x100000, 0, 0, 0x100000))), "load_addr 0x100000", "file offset 0x10");
        assertMentions(refusal(flat(code, 0, aoutHeader(0, 0x100000, 0x100000, 0x100400, 0, 0x100000))), "truncated", "0x400");
        assertMentions(refusal(flat(code, 0, aoutHeader(0, 0x100000, 0x100000, 0x100100, 0x100080, 0x100000))), "bss_end_addr 0x100080 is below");
        assertMentions(refusal(flat(code, 0, aoutHeader(0, 0x100000, 0x100000, 0, 0, 0x400000))), "entry point 0x400000 lies outside every loaded segment");
        assertMentions(refusal(flat(code, 0, aoutHeader(0, 0x100000, 0x100000, 0, 0x102000, 0x101000))), "entry point 0x101000", "bss");
        assertMentions(refusal(flat(code, 0, aoutHeader(0, 0x3FFF00, 0x3FFF00, 0, 0x400100, 0x3FFF00))), "the load range at 0x3fff00-0x400100 lies outside guest RAM (4 MiB)");
        assertMentions(refusal(flat(pattern(8, 0), 0, new byte[0])), "not a Multiboot image");
    }

    @Test void aoutHeaderCutShortByTheEndOfTheFileIsRefused() {
        byte[] image = flat(pattern(0x20, 0), 0x10, java.util.Arrays.copyOf(aoutHeader(0, 0, 0, 0, 0, 0), 0x10));
        assertMentions(refusal(image), "flag bit 16", "run past the end of the file");
    }

    // --- refusals ---------------------------------------------------------------------------------------------------

    @Test void emptyFile() { assertEquals("kernel.elf: is empty", refusal(new byte[0])); }

    @Test void noHeader() {
        assertEquals("kernel.elf: not a Multiboot image (no header in the first 8 KiB)", refusal(pattern(0x4000, 0)));
    }

    @Test void headerBeyondTheFirst8KiBIsNotFound() {
        byte[] image = new byte[0x3000];
        System.arraycopy(header(0), 0, image, 8192 - 8, 12);   // starts inside, ends outside the 8 KiB
        assertMentions(refusal(image), "not a Multiboot image");
        assertFalse(MultibootLoader.isMultiboot(image));
    }

    @Test void unalignedHeaderIsNotFound() {
        byte[] image = new byte[0x100];
        System.arraycopy(header(0), 0, image, 0x12, 12);
        assertFalse(MultibootLoader.isMultiboot(image));
    }

    @Test void wrongChecksum() {
        byte[] image = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20).build();
        image[52 + 32 + 8]++;
        assertMentions(refusal(image), "header at offset 0x54 has a wrong checksum");
        assertFalse(MultibootLoader.isMultiboot(image));
    }

    @Test void unknownRequiredFlag() {
        KernelImages.Elf elf = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        elf.multibootFlags = 0x3 | 1 << 3;
        assertMentions(refusal(elf.build()), "flag bits 0x8", "bit 3");
        assertTrue(MultibootLoader.isMultiboot(elf.build()), "still a Multiboot image, just one Popek refuses");
    }

    @Test void unknownOptionalFlagIsIgnored() throws Exception {
        KernelImages.Elf elf = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        elf.multibootFlags = 0x3 | 1 << 20;
        assertEquals(0x100000, load(elf.build()).entry());
    }

    @Test void notElfWithoutLoadAddresses() {
        assertMentions(refusal(flat(pattern(0x100, 0), 0, header(0))), "not an ELF file", "flag bit 16");
    }

    @Test void elf64() {
        KernelImages.Elf elf = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        elf.elfClass = 2;
        assertEquals("kernel.elf: is a 64-bit ELF; Multiboot 1 needs a 32-bit (ELF32, i386) kernel", refusal(elf.build()));
    }

    @Test void wrongElfFlavours() {
        KernelImages.Elf big = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        big.dataEncoding = 2;
        assertMentions(refusal(big.build()), "big-endian");
        KernelImages.Elf amd64 = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        amd64.machine = 62;
        assertMentions(refusal(amd64.build()), "x86-64", "needs an i386");
        KernelImages.Elf pie = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        pie.type = 3;
        assertMentions(refusal(pie.build()), "ET_DYN", "-no-pie");
        KernelImages.Elf object = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20);
        object.type = 1;
        assertMentions(refusal(object.build()), "ET_REL");
    }

    @Test void truncatedElfHeader() {
        byte[] image = new byte[48];
        System.arraycopy(new byte[] {0x7F, 'E', 'L', 'F', 1, 1, 1}, 0, image, 0, 7);
        System.arraycopy(header(0), 0, image, 20, 12);
        assertMentions(refusal(image), "truncated", "48 bytes", "ELF header");
    }

    @Test void truncatedProgramHeaderTable() {
        byte[] image = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x20, 0), 0x20).build();
        image[44] = 50;   // e_phnum: 50 headers cannot fit
        assertMentions(refusal(image), "truncated", "program header table");
    }

    @Test void truncatedSegmentData() {
        byte[] image = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x100, 0), 0x100).build();
        assertMentions(refusal(java.util.Arrays.copyOf(image, image.length - 0x10)), "truncated", "segment 0");
    }

    @Test void fileSizeAboveMemorySize() {
        byte[] image = new KernelImages.Elf().entry(0x100000).load(0x100000, pattern(0x100, 0), 0x80).build();
        assertMentions(refusal(image), "segment 0", "p_filesz 0x100 > p_memsz 0x80");
    }

    @Test void noLoadableSegments() {
        assertMentions(refusal(new KernelImages.Elf().entry(0x100000).note(pattern(8, 0)).build()), "no loadable (PT_LOAD) segments");
        assertMentions(refusal(new KernelImages.Elf().entry(0x100000).build()), "no program headers");
    }

    @Test void segmentOutsideRam() {
        byte[] image = new KernelImages.Elf().entry(0x100000)
                .load(0x100000, pattern(0x20, 0), 0x20).load(0x3FF000, pattern(0x20, 0), 0x2000).build();
        assertEquals("kernel.elf: segment 1 at 0x3ff000-0x401000 lies outside guest RAM (4 MiB)", refusal(image));
    }

    @Test void segmentsOverlap() {
        byte[] image = new KernelImages.Elf().entry(0x100000)
                .load(0x100000, pattern(0x20, 0), 0x2000).load(0x101000, pattern(0x20, 0), 0x20).build();
        assertMentions(refusal(image), "segments 0 and 1 overlap");
    }

    @Test void segmentOverTheBootInformationArea() {
        byte[] image = new KernelImages.Elf().entry(0xF000).load(0xF000, pattern(0x20, 0), 0x2000).build();
        assertMentions(refusal(image), "segment 0 at 0xf000-0x11000 overlaps the area 0x8000-0x10000", "boot information");
    }

    @Test void segmentInTheVgaWindow() {
        byte[] image = new KernelImages.Elf().entry(0x100000)
                .load(0x100000, pattern(0x20, 0), 0x20).load(0xB8000, pattern(0x20, 0), 0x20).build();
        assertEquals("kernel.elf: segment 1 at 0xb8000-0xb8020 overlaps the VGA memory window 0xa0000-0xc0000, which is device memory, not RAM",
                refusal(image));
    }

    @Test void headerSegmentJustBelowOneMiBLoads() throws Exception {
        // What `ld -Ttext=0x100000` makes: ELF and program headers in a read-only segment at 0xff000. QEMU boots it;
        // Popek has no BIOS ROM there, so it does too.
        byte[] headers = pattern(0x94, 0), text = pattern(0x12, 4);
        byte[] image = new KernelImages.Elf().entry(0x10000C).load(0xFF000, headers, 0x94).load(0x100000, text, 0x12).build();
        MultibootBoot boot = load(image);
        assertArrayEquals(headers, ram.read(0xFF000, headers.length));
        assertArrayEquals(text, ram.read(0x100000, text.length));
        assertEquals(0xFF000, boot.kernelStart());
    }

    @Test void lowMemoryOutsideTheBootAreaIsUsable() throws Exception {
        byte[] image = new KernelImages.Elf().entry(0x20000).load(0x20000, pattern(0x20, 0), 0x20).build();
        assertEquals(0x20000, load(image).entry());
    }

    @Test void entryOutsideEverySegment() {
        byte[] image = new KernelImages.Elf().entry(0x200000).load(0x100000, pattern(0x20, 0), 0x20).build();
        assertEquals("kernel.elf: the entry point 0x200000 lies outside every loaded segment", refusal(image));
    }

    @Test void entryInBss() {
        byte[] image = new KernelImages.Elf().entry(0x100800).load(0x100000, pattern(0x20, 0), 0x1000).build();
        assertMentions(refusal(image), "entry point 0x100800", "(bss) of segment 0");
    }

    @Test void refusedImageLeavesRamUntouched() {
        byte[] image = new KernelImages.Elf().entry(0x100000)
                .load(0x100000, pattern(0x20, 0), 0x20).load(0x3FF000, pattern(0x20, 0), 0x2000).build();
        refusal(image);
        assertArrayEquals(new byte[0x20], ram.read(0x100000, 0x20));
        assertEquals(0, ram.read32(MultibootInfo.INFO_ADDRESS));
    }

    private String cString(int address) {
        StringBuilder s = new StringBuilder();
        for (long a = Integer.toUnsignedLong(address); ram.read8(a) != 0; a++) s.append((char) ram.read8(a));
        return new String(s.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
