package popek.para;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The ELF note that marks a Multiboot image as para-virtualised (pv.h, part 1): name "Popek", type
 * {@link PvAbi#NOTE_PARA}, and three words: the ABI version and the physical addresses of the pages Popek fills.
 *
 * @param abi the ABI version the guest was built for (major &lt;&lt; 16 | minor)
 */
public record PvNote(int abi, long hypercallPage, long sharedInfoPage) {
    private static final int PT_NOTE = 4, PAGE = 4096;

    /**
     * The note in an ELF32 image's PT_NOTE segments, or null when there is none (or the file is not an ELF32 image: the
     * Multiboot loader reports that). Malformed notes are skipped, as a loader skips notes it does not know.
     */
    public static PvNote find(byte[] image) {
        if (image.length < 52 || image[0] != 0x7F || image[1] != 'E' || image[2] != 'L' || image[3] != 'F' || image[4] != 1) return null;
        ByteBuffer le = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = u32(le, 28);
        int phentsize = le.getShort(42) & 0xFFFF, phnum = le.getShort(44) & 0xFFFF;
        if (phentsize < 32 || phoff + (long) phentsize * phnum > image.length) return null;
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            if (le.getInt(at) != PT_NOTE) continue;
            long offset = u32(le, at + 4), size = u32(le, at + 16);
            if (offset + size > image.length) continue;
            PvNote n = inSegment(le, (int) offset, (int) (offset + size));
            if (n != null) return n;
        }
        return null;
    }

    /** Walks the notes of one segment: namesz, descsz, type, then the name and desc, each padded to 4 bytes. */
    private static PvNote inSegment(ByteBuffer le, int at, int end) {
        while (at + 12 <= end) {
            long namesz = u32(le, at), descsz = u32(le, at + 4);
            int type = le.getInt(at + 8);
            long name = at + 12L, desc = name + align4(namesz), next = desc + align4(descsz);
            if (next > end) return null;
            if (type == PvAbi.NOTE_PARA && namesz == PvAbi.NOTE_NAME.length() + 1 && descsz >= 12
                    && nameIs(le, (int) name)) {
                return new PvNote(le.getInt((int) desc), u32(le, (int) desc + 4), u32(le, (int) desc + 8));
            }
            at = (int) next;
        }
        return null;
    }

    private static boolean nameIs(ByteBuffer le, int at) {
        String n = PvAbi.NOTE_NAME;
        for (int i = 0; i < n.length(); i++) if (le.get(at + i) != n.charAt(i)) return false;
        return le.get(at + n.length()) == 0;
    }

    /**
     * Null when the note is usable with {@code ramBytes} of RAM, else why not (one line, after the image's name):
     * the ABI's major version must be Popek's, and the two pages page-aligned, distinct and inside RAM.
     */
    public String problem(long ramBytes) {
        if (abi >>> 16 != PvAbi.VERSION >>> 16) {
            return String.format("was built for para-virtual ABI %d.%d, and this Popek speaks %d.%d",
                    abi >>> 16, abi & 0xFFFF, PvAbi.VERSION >>> 16, PvAbi.VERSION & 0xFFFF);
        }
        String h = page("hypercall", hypercallPage, ramBytes), s = page("shared-info", sharedInfoPage, ramBytes);
        if (h != null) return h;
        if (s != null) return s;
        if (hypercallPage == sharedInfoPage) return String.format("its PV note puts the hypercall and shared-info pages both at %#x", hypercallPage);
        return null;
    }

    private static String page(String what, long address, long ramBytes) {
        if (address % PAGE != 0) return String.format("its PV note's %s page %#x is not page-aligned (4 KiB)", what, address);
        if (address + PAGE > ramBytes) return String.format("its PV note's %s page %#x lies outside guest RAM (%d MiB)", what, address, ramBytes >> 20);
        return null;
    }

    private static long align4(long n) { return (n + 3) & ~3L; }

    private static long u32(ByteBuffer le, int at) { return Integer.toUnsignedLong(le.getInt(at)); }
}
