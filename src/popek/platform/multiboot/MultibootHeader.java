package popek.platform.multiboot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import popek.platform.BootImageException;

/**
 * The Multiboot header found in a kernel image: where it was, what it asks for, and (with the a.out kludge) where
 * the image goes. Address fields are unsigned 32-bit values widened to long; they are 0 unless {@link #hasLoadAddresses()}.
 *
 * @param offset file offset of the magic
 */
public record MultibootHeader(long offset, int flags, long headerAddr, long loadAddr, long loadEndAddr, long bssEndAddr,
                              long entryAddr) {
    public static final int MAGIC = 0x1BADB002;
    /** The header must lie completely within this many bytes from the start of the file. */
    public static final int SEARCH_LIMIT = 8192;

    public static final int FLAG_PAGE_ALIGN_MODULES = 1;
    public static final int FLAG_MEMORY_INFO = 1 << 1;
    public static final int FLAG_VIDEO_MODE = 1 << 2;
    public static final int FLAG_LOAD_ADDRESSES = 1 << 16;
    /** Bits 0–15 are requirements: a loader that does not understand one must refuse the image. */
    private static final int REQUIRED_BITS = 0xFFFF;
    private static final int UNDERSTOOD_REQUIRED_BITS = FLAG_PAGE_ALIGN_MODULES | FLAG_MEMORY_INFO | FLAG_VIDEO_MODE;

    private static final int BASIC_LENGTH = 12;       // magic, flags, checksum
    private static final int ADDRESS_FIELDS_LENGTH = 32;  // + header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr

    /** Bit 0: modules must be page-aligned. Recorded only: Popek loads no modules. */
    public boolean wantsPageAlignedModules() { return (flags & FLAG_PAGE_ALIGN_MODULES) != 0; }

    /** Bit 1: the kernel wants mem_lower/mem_upper and the memory map; Popek always provides them. */
    public boolean wantsMemoryInfo() { return (flags & FLAG_MEMORY_INFO) != 0; }

    /** Bit 2: the kernel asks for a video mode. Recorded only: Popek has no framebuffer and leaves the fields unset. */
    public boolean wantsVideoMode() { return (flags & FLAG_VIDEO_MODE) != 0; }

    /** Bit 16, the "a.out kludge": load and entry addresses come from the header rather than from an ELF header. */
    public boolean hasLoadAddresses() { return (flags & FLAG_LOAD_ADDRESSES) != 0; }

    /**
     * The first valid header in image: 32-bit aligned, inside the first 8 KiB, with a correct checksum and only
     * required flags Popek understands.
     */
    static MultibootHeader find(byte[] image, String name) throws BootImageException {
        ByteBuffer le = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int limit = Math.min(image.length, SEARCH_LIMIT);
        int at = offsetOf(image);
        if (at >= 0) return parse(le, at, le.getInt(at + 4), limit, name);
        // No valid header. A magic with a bad checksum is most likely a header built wrong, so name it.
        for (int candidate = 0; candidate + BASIC_LENGTH <= limit; candidate += 4) {
            if (le.getInt(candidate) == MAGIC) {
                throw new BootImageException(String.format(
                        "%s: the Multiboot header at offset %#x has a wrong checksum (magic + flags + checksum = %#x, must be 0)",
                        name, candidate, MAGIC + le.getInt(candidate + 4) + le.getInt(candidate + 8)));
            }
        }
        throw new BootImageException(name + ": not a Multiboot image (no header in the first 8 KiB)");
    }

    /**
     * The file offset of the first magic with a valid checksum, or -1. A magic with a bad checksum is skipped, as GRUB
     * does, since those four bytes can occur by chance.
     */
    static int offsetOf(byte[] image) {
        ByteBuffer le = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        int limit = Math.min(image.length, SEARCH_LIMIT);
        for (int at = 0; at + BASIC_LENGTH <= limit; at += 4) {
            if (le.getInt(at) == MAGIC && MAGIC + le.getInt(at + 4) + le.getInt(at + 8) == 0) return at;
        }
        return -1;
    }

    private static MultibootHeader parse(ByteBuffer le, int at, int flags, int limit, String name) throws BootImageException {
        int unknown = flags & REQUIRED_BITS & ~UNDERSTOOD_REQUIRED_BITS;
        if (unknown != 0) {
            throw new BootImageException(String.format(
                    "%s: the Multiboot header requires features Popek does not support (flag bits %#x, e.g. bit %d); the specification says to refuse such an image",
                    name, unknown, Integer.numberOfTrailingZeros(unknown)));
        }
        if ((flags & FLAG_LOAD_ADDRESSES) == 0) return new MultibootHeader(at, flags, 0, 0, 0, 0, 0);
        if (at + ADDRESS_FIELDS_LENGTH > limit) {
            throw new BootImageException(String.format(
                    "%s: the Multiboot header at offset %#x sets flag bit 16 (load addresses) but its address fields run past %s",
                    name, at, limit == SEARCH_LIMIT ? "the first 8 KiB" : "the end of the file"));
        }
        return new MultibootHeader(at, flags, u32(le, at + 12), u32(le, at + 16), u32(le, at + 20), u32(le, at + 24),
                u32(le, at + 28));
    }

    private static long u32(ByteBuffer le, int at) { return Integer.toUnsignedLong(le.getInt(at)); }
}
