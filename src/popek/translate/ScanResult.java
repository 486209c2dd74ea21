package popek.translate;

import java.util.Arrays;

/**
 * The sensitive instructions a {@link CodeScanner} found in one code page, in address order, as parallel arrays
 * (offset from the page start, length, {@link SensitiveClass} ordinal), and where and how the sweep ended.
 * Immutable.
 */
public final class ScanResult {
    private final int[] offsets;
    private final int[] lengths;
    private final int[] classOrdinals;
    private final int endOffset;
    private final boolean needsNextPage;
    private final int instructionCount;
    private final int undecodableBytes;
    private final int firstUndecodableOffset;
    /** Bit o set: the sweep decoded an instruction starting at offset o. */
    private final long[] starts;

    ScanResult(int[] offsets, int[] lengths, int[] classOrdinals, int endOffset, boolean needsNextPage,
               int instructionCount, int undecodableBytes, int firstUndecodableOffset, long[] starts) {
        this.starts = starts;
        this.offsets = offsets;
        this.lengths = lengths;
        this.classOrdinals = classOrdinals;
        this.endOffset = endOffset;
        this.needsNextPage = needsNextPage;
        this.instructionCount = instructionCount;
        this.undecodableBytes = undecodableBytes;
        this.firstUndecodableOffset = firstUndecodableOffset;
    }

    /** How many sensitive instructions were found. */
    public int count() { return offsets.length; }

    /** The offset from the page start of the i-th sensitive instruction. */
    public int offset(int i) { return offsets[i]; }

    /** Its length in bytes; offset + length may pass the page end when it continues into the next page. */
    public int length(int i) { return lengths[i]; }

    public int classOrdinal(int i) { return classOrdinals[i]; }

    public SensitiveClass sensitiveClass(int i) { return SensitiveClass.ofOrdinal(classOrdinals[i]); }

    /** The class of the sensitive instruction that starts at {@code offset}, or null if none does. */
    public SensitiveClass classAt(int offset) {
        int i = Arrays.binarySearch(offsets, offset);
        return i < 0 ? null : sensitiveClass(i);
    }

    /**
     * Where the sweep stopped, as an offset from the page start. At or past the page size when it reached the page
     * end: past it when the last instruction continues into the next page, whose own sweep should then start at
     * {@code endOffset - PAGE_SIZE}. Below the page size only when {@link #needsNextPage()}.
     */
    public int endOffset() { return endOffset; }

    /**
     * True if the sweep stopped at {@link #endOffset()} because the instruction there may continue into the next
     * page, whose bytes were not given: scan again with them to finish the page.
     */
    public boolean needsNextPage() { return needsNextPage; }

    /** How many instructions were decoded, sensitive or not. */
    public int instructionCount() { return instructionCount; }

    /** How many bytes decoded as no instruction and were stepped over one by one (0 for gcc-built kernel text). */
    public int undecodableBytes() { return undecodableBytes; }

    /**
     * Did the sweep decode an instruction starting at {@code offset}? Code entered anywhere else was not decoded as
     * the CPU runs it (undecodable bytes, stepped over one at a time, count as starts).
     */
    public boolean isInstructionStart(int offset) {
        return offset >= 0 && offset < starts.length * 64 && (starts[offset >>> 6] & 1L << offset) != 0;
    }

    /** The offset of the first undecodable byte, or -1 if there was none. */
    /** The first offset after {@code offset} where the sweep decoded an instruction, or -1 if none in the page. */
    public int nextStart(int offset) {
        for (int o = offset + 1; o < starts.length * 64; o++) {
            long word = starts[o >>> 6] >>> o;   // (shifts are mod 64: o's bit first)
            if (word != 0) return o + Long.numberOfTrailingZeros(word);
            o |= 63;
        }
        return -1;
    }

    public int firstUndecodableOffset() { return firstUndecodableOffset; }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("ScanResult[");
        for (int i = 0; i < count(); i++) {
            if (i > 0) s.append(", ");
            s.append(Integer.toHexString(offsets[i])).append(':').append(sensitiveClass(i).label());
        }
        return s.append("; end ").append(Integer.toHexString(endOffset)).append(needsNextPage ? " (needs next page)" : "")
                .append(", ").append(instructionCount).append(" instructions, ").append(undecodableBytes)
                .append(" undecodable bytes]").toString();
    }
}
