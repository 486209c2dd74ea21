package popek.platform.multiboot;

import java.util.List;

/**
 * What to load and where to start, worked out from the image alone; the loader then checks it against guest RAM.
 *
 * @param segments non-empty, each with memorySize > 0, in image order
 * @param entry the physical address of the first instruction
 */
public record LoadPlan(Format format, List<LoadSegment> segments, long entry) {
    /** How the image told Popek where it goes. */
    public enum Format {
        /** ELF32 program headers (Multiboot header flag bit 16 clear). */
        ELF32,
        /** The address fields of the Multiboot header, the "a.out kludge" (flag bit 16 set); the image is a flat binary. */
        AOUT_KLUDGE
    }

    public LoadPlan {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) throw new IllegalArgumentException("nothing to load");
    }

    /** The lowest physical address the kernel occupies. */
    public long lowestAddress() { return segments.stream().mapToLong(LoadSegment::address).min().orElseThrow(); }

    /** The physical address just past the highest byte the kernel occupies (bss included). */
    public long highestAddress() { return segments.stream().mapToLong(LoadSegment::end).max().orElseThrow(); }
}
