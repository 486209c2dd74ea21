package popek.platform.multiboot;

/**
 * One piece of the kernel to put into guest RAM: fileSize bytes from the image at fileOffset go to the physical
 * address, and the rest up to memorySize (the bss) is zeroed.
 *
 * @param index the segment's number in messages: its program header index (as {@code readelf -l} numbers segments), 0 for the a.out kludge
 * @param virtualAddress where the kernel is linked to run (ELF p_vaddr); equal to address unless it is a higher-half kernel
 */
public record LoadSegment(int index, long fileOffset, long fileSize, long address, long memorySize, long virtualAddress) {
    public LoadSegment {
        if (fileOffset < 0 || fileSize < 0 || memorySize < fileSize || address < 0) throw new IllegalArgumentException("bad segment");
    }

    /** The physical address just past the segment. */
    public long end() { return address + memorySize; }

    /** The physical address just past the bytes that come from the file. */
    public long fileEnd() { return address + fileSize; }
}
