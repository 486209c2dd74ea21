package popek.translate;

import java.util.Arrays;

import popek.engine.Capstone;

/**
 * Finds the sensitive instructions in a 4 KiB page of guest code by a linear sweep: decode the instruction at the
 * start offset, step over it, decode the next, up to the page end; {@link InstructionClassifier} judges each one.
 *
 * <p>An instruction that starts in the page but ends in the next one is decoded with the first bytes of the next
 * page when the caller has them; without them the sweep stops before it and says so
 * ({@link ScanResult#needsNextPage()}). Bytes that decode as no instruction are counted and stepped over one at a
 * time, so the sweep carries on after them.
 *
 * <p>Limitation: a linear sweep trusts that code is contiguous instructions. Data inside code (jump tables, literal
 * pools, a Multiboot header before the entry point) decodes as garbage instructions and can desynchronise the sweep
 * for a few instructions after it, finding a false sensitive instruction or missing a real one. gcc puts jump tables
 * and constants in .rodata, so the text of a gcc-built kernel decodes cleanly; the caller should start each sweep at a
 * known entry point (the branch target that faulted the page in) rather than at offset 0 when it has one. A page that
 * holds both code and data (the last page of .text often runs into .rodata) yields hits in the data too: whoever
 * rewrites them must make sure the guest still reads its original bytes there.
 *
 * <p>Speed: Capstone costs about 0.5 µs an instruction, so the everyday instructions that are never sensitive are
 * measured by {@link OrdinaryLength} in Java instead, and only the rest go to Capstone (through
 * {@code cs_disasm_iter} into one reused native instruction). A dense page of tinyos's compiled C (1,262
 * instructions) scans in 30–50 µs instead of 0.6–0.9 ms, and a scan allocates only its result.
 *
 * <p>Not thread-safe, and confined to the thread of its first scan (Capstone's native memory is): one per vCPU thread.
 */
public final class CodeScanner implements AutoCloseable {
    public static final int PAGE_SIZE = 4096;
    /** The most of the next page an instruction starting in this page can use: a 15-byte one at the last byte. */
    public static final int NEXT_PAGE_BYTES = Capstone.MAX_INSTRUCTION - 1;

    private final boolean ordinaryInJava;
    private final byte[] window = new byte[PAGE_SIZE + NEXT_PAGE_BYTES];
    private Capstone decoder16, decoder32;
    // The hits of the scan under way, grown as needed and copied into the result.
    private int[] offsets = new int[64], lengths = new int[64], classes = new int[64];
    private int hits;

    public CodeScanner() { this(true); }

    /** With {@code ordinaryInJava} false every instruction goes to Capstone: the reference the tests compare with. */
    CodeScanner(boolean ordinaryInJava) { this.ordinaryInJava = ordinaryInJava; }

    /**
     * Scans {@code pageBytes[startOffset, PAGE_SIZE)} as {@code bits}-bit code (16 or 32: the code segment's default
     * operand size) at linear address {@code pageLinearAddress}. {@code nextPageBytesOrNull} is the page that follows
     * (only its first {@link #NEXT_PAGE_BYTES} bytes are read), or null if it is not known.
     */
    public ScanResult scan(byte[] pageBytes, int startOffset, long pageLinearAddress, int bits,
                           byte[] nextPageBytesOrNull) {
        return scan(pageBytes, startOffset, pageLinearAddress, bits, nextPageBytesOrNull, NO_ANCHORS);
    }

    private static final int[] NO_ANCHORS = {};

    /**
     * As {@link #scan(byte[], int, long, int, byte[])}, with {@code anchors}: offsets (ascending) where the CPU is
     * known to start an instruction, because it began a block of code there. They win over the sweep: an
     * instruction the sweep decodes across an anchor is not one (the sweep was out of step, in data or in code of
     * the other size), so it is dropped and the sweep starts again at the anchor; an anchor before
     * {@code startOffset} moves the start back to it. A boot sector's page holds 16-bit code, 32-bit code and its
     * GDT; a Multiboot kernel's first page starts with its header, whose bytes decode as instructions that can
     * swallow the entry point's.
     */
    public ScanResult scan(byte[] pageBytes, int startOffset, long pageLinearAddress, int bits,
                           byte[] nextPageBytesOrNull, int[] anchors) {
        if (pageBytes.length < PAGE_SIZE) {
            throw new IllegalArgumentException("a page is " + PAGE_SIZE + " bytes, not " + pageBytes.length);
        }
        if (startOffset < 0 || startOffset >= PAGE_SIZE) throw new IllegalArgumentException("start offset " + startOffset);
        boolean haveNext = nextPageBytesOrNull != null;
        if (haveNext && nextPageBytesOrNull.length < NEXT_PAGE_BYTES) {
            throw new IllegalArgumentException("the next page has only " + nextPageBytesOrNull.length + " bytes");
        }
        Capstone decoder = decoder(bits);
        System.arraycopy(pageBytes, 0, window, 0, PAGE_SIZE);
        if (haveNext) System.arraycopy(nextPageBytesOrNull, 0, window, PAGE_SIZE, NEXT_PAGE_BYTES);
        int available = haveNext ? window.length : PAGE_SIZE;
        decoder.load(window, available, pageLinearAddress);

        hits = 0;
        long[] starts = new long[PAGE_SIZE / 64];
        int offset = startOffset, instructions = 0, undecodable = 0, firstUndecodable = -1;
        int nextAnchor = 0;   // index of the first anchor after offset
        if (anchors.length > 0 && anchors[0] < offset) offset = anchors[0];
        boolean needsNextPage = false;
        while (offset < PAGE_SIZE) {
            while (nextAnchor < anchors.length && anchors[nextAnchor] <= offset) nextAnchor++;
            int anchor = nextAnchor < anchors.length ? anchors[nextAnchor] : Integer.MAX_VALUE;
            starts[offset >>> 6] |= 1L << offset;
            int undefined = OrdinaryLength.undefinedWithModrm(window, offset, available, bits);
            if (undefined > 0) {   // ud0, ud1: as long as the CPU says, not Capstone
                instructions++;
                offset = Math.min(offset + undefined, anchor);
                continue;
            }
            int ordinary = ordinaryInJava ? OrdinaryLength.of(window, offset, available, bits) : 0;
            if (ordinary > 0) {
                instructions++;
                offset = Math.min(offset + ordinary, anchor);
                continue;
            }
            int length = decoder.decodeLoaded(offset);
            if (length == 0) {
                // Near the end of the page without its successor, "invalid" may only mean "cut off": stop and say so.
                if (!haveNext && offset + Capstone.MAX_INSTRUCTION > PAGE_SIZE) {
                    if (anchor < PAGE_SIZE) {   // code does start further on: decode it (each anchor must be decoded)
                        offset = anchor;
                        continue;
                    }
                    needsNextPage = true;
                    break;
                }
                if (firstUndecodable < 0) firstUndecodable = offset;
                undecodable++;
                offset++;
                continue;
            }
            instructions++;
            if (offset + length > anchor) {   // out of step: the anchor is where an instruction really starts
                offset = anchor;
                continue;
            }
            SensitiveClass c = InstructionClassifier.classify(decoder.loadedId(), window, offset, length);
            if (c != null) record(offset, length, c);
            offset += length;
        }
        return new ScanResult(Arrays.copyOf(offsets, hits), Arrays.copyOf(lengths, hits), Arrays.copyOf(classes, hits),
                offset, needsNextPage, instructions, undecodable, firstUndecodable, starts);
    }

    private void record(int offset, int length, SensitiveClass c) {
        if (hits == offsets.length) {
            offsets = Arrays.copyOf(offsets, hits * 2);
            lengths = Arrays.copyOf(lengths, hits * 2);
            classes = Arrays.copyOf(classes, hits * 2);
        }
        offsets[hits] = offset;
        lengths[hits] = length;
        classes[hits] = c.ordinal();
        hits++;
    }

    private Capstone decoder(int bits) {
        return switch (bits) {
            case 16 -> decoder16 != null ? decoder16 : (decoder16 = new Capstone(16));
            case 32 -> decoder32 != null ? decoder32 : (decoder32 = new Capstone(32));
            default -> throw new IllegalArgumentException("bits must be 16 or 32, not " + bits);
        };
    }

    @Override
    public void close() {
        try {
            if (decoder16 != null) decoder16.close();
        } finally {
            if (decoder32 != null) decoder32.close();
        }
    }
}
