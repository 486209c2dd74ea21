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
        // Code the CPU is known to run (from an anchor on, up to its first unconditional transfer) may jump within
        // the page to where the sweep decoded no instruction: code that overlaps other code (16-bit code run in the
        // bytes of 32-bit code), whose entry no TLB fill or emulated transfer would anchor, because the page is
        // already translated. Such a target is an entry too, and the sweep is made again with it as an anchor; else
        // a rewritten instruction's nops and int3 run inside the instruction really there (found by popek fuzz).
        ScanResult result = sweep(pageBytes, startOffset, pageLinearAddress, bits, nextPageBytesOrNull, anchors);
        for (int round = 0; round < MAX_TARGET_ROUNDS && targetCount > 0; round++) {
            int[] more = anchors;
            for (int i = 0; i < targetCount; i++) {
                if (!result.isInstructionStart(targets[i])) more = withAnchor(more, targets[i]);
            }
            if (more == anchors) break;
            anchors = more;
            result = sweep(pageBytes, startOffset, pageLinearAddress, bits, nextPageBytesOrNull, anchors);
        }
        return result;
    }

    /** Rounds of new branch targets a scan follows (each round one more sweep; a chain of targets is rare). */
    private static final int MAX_TARGET_ROUNDS = 4;
    /** The in-page targets of direct branches in known code, found by the last sweep. */
    private int[] targets = new int[16];
    private int targetCount;

    /** {@code sorted} with {@code anchor} added in its place (the same array if it holds it already). */
    static int[] withAnchor(int[] sorted, int anchor) {
        int at = Arrays.binarySearch(sorted, anchor);
        if (at >= 0) return sorted;
        at = -at - 1;
        int[] a = new int[sorted.length + 1];
        System.arraycopy(sorted, 0, a, 0, at);
        a[at] = anchor;
        System.arraycopy(sorted, at, a, at + 1, sorted.length - at);
        return a;
    }

    private ScanResult sweep(byte[] pageBytes, int startOffset, long pageLinearAddress, int bits,
                             byte[] nextPageBytesOrNull, int[] anchors) {
        targetCount = 0;
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
        boolean known = false;   // is the instruction at offset one the CPU is known to run?
        while (offset < PAGE_SIZE) {
            if (nextAnchor < anchors.length && anchors[nextAnchor] == offset) known = true;
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
                if (known && offset + ordinary <= anchor) known = followBranch(offset, ordinary, bits);
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
                known = false;
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
            if (known) known = followBranch(offset, length, bits);
            offset += length;
        }
        return new ScanResult(Arrays.copyOf(offsets, hits), Arrays.copyOf(lengths, hits), Arrays.copyOf(classes, hits),
                offset, needsNextPage, instructions, undecodable, firstUndecodable, starts);
    }

    /**
     * The instruction of {@code length} bytes at {@code offset} in the window runs: notes the in-page target of a
     * direct jmp, jcc, loop or call, and says whether the instruction after it runs too (not after an unconditional
     * jmp, a return, an iret or a far or indirect jmp). A 16-bit target wraps at 64 KiB, which only a page at such a
     * boundary would see; a target outside the page is the next page's business (its fill anchors it).
     */
    private boolean followBranch(int offset, int length, int bits) {
        long b = branch(window, offset, length, bits);
        int target = target(b);
        if (target >= 0) {
            if (targetCount == targets.length) targets = Arrays.copyOf(targets, targetCount * 2);
            targets[targetCount++] = target;
        }
        return runsOn(b);
    }

    /**
     * What the instruction of {@code length} bytes at {@code offset} in {@code code} does to the flow of control, for
     * {@link #target} and {@link #runsOn}: the in-page target of a direct jmp, jcc, loop or call (or none), and
     * whether the next instruction runs after it (not after an unconditional jmp, a return, an iret, a far or an
     * indirect jmp). A 16-bit target wraps at 64 KiB, which only a page at such a boundary would see; a target
     * outside the page is the other page's business.
     */
    public static long branch(byte[] code, int offset, int length, int bits) {
        int at = offset, end = offset + length;
        boolean opsize16 = bits == 16;
        while (at < end && isPrefix(code[at] & 0xFF)) {
            if ((code[at] & 0xFF) == 0x66) opsize16 = bits != 16;
            at++;
        }
        if (at >= end) return NO_BRANCH;
        int op = code[at] & 0xFF;
        boolean unconditional = false;
        if (op == 0xEB || op == 0xE9) {
            unconditional = true;
        } else if (op == 0x0F && at + 1 < end && (code[at + 1] & 0xF0) == 0x80) {
            at++;
        } else if (!(op >= 0x70 && op <= 0x7F || op >= 0xE0 && op <= 0xE3 || op == 0xE8)) {
            int reg = at + 1 < end ? (code[at + 1] >> 3) & 7 : 0;
            boolean stops = op == 0xC3 || op == 0xC2 || op == 0xCB || op == 0xCA || op == 0xCF || op == 0xEA
                    || op == 0xFF && (reg == 4 || reg == 5);
            return stops ? STOPS : NO_BRANCH;
        }
        int size = end - (at + 1);   // the displacement is the instruction's last bytes
        int disp;
        switch (size) {
            case 1 -> disp = code[end - 1];
            case 2 -> disp = (short) ((code[end - 2] & 0xFF) | code[end - 1] << 8);
            case 4 -> disp = (code[end - 4] & 0xFF) | (code[end - 3] & 0xFF) << 8 | (code[end - 2] & 0xFF) << 16 | code[end - 1] << 24;
            default -> { return unconditional ? STOPS : NO_BRANCH; }
        }
        if (opsize16 && size == 4) disp = (short) disp;
        long target = (long) end + disp;
        long flow = unconditional ? STOPS : NO_BRANCH;
        return target >= 0 && target < PAGE_SIZE ? flow & ~0xFFFFFFFFL | target : flow;
    }

    private static final long NO_BRANCH = 0xFFFFFFFFL, STOPS = 1L << 32 | 0xFFFFFFFFL;

    /** The in-page target of a {@link #branch} result, or -1. */
    public static int target(long branch) { return (int) branch; }

    /** Does the next instruction run after a {@link #branch} result's instruction? */
    public static boolean runsOn(long branch) { return (branch >>> 32) == 0; }

    private static boolean isPrefix(int b) {
        return b == 0x66 || b == 0x67 || b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0x64 || b == 0x65
                || b == 0xF0 || b == 0xF2 || b == 0xF3;
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
