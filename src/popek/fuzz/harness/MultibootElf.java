package popek.fuzz.harness;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import popek.para.PvAbi;

/**
 * The smallest Multiboot kernel the fuzz targets' guests are: an ELF32 file with one loadable segment at 4 KiB in the
 * file, whose first 12 bytes are made the Multiboot header, and, for para mode, Popek's PV note naming the hypercall
 * page and the shared-info page.
 */
public final class MultibootElf {
    /** The segment's offset in the file. */
    public static final int FILE_SEGMENT = 0x1000;
    private static final int MAGIC = 0x1BADB002, NOTE = 0x100;

    private MultibootElf() {}

    /** Where a para guest keeps the pages its PV note names. */
    public record ParaPages(int hypercallPage, int sharedInfo) { }

    /**
     * The file: {@code segment} loaded at {@code load} ({@code memBytes} in memory, the rest zero), entered at
     * {@code entry}, with Multiboot header flags {@code mbFlags} over the segment's first 12 bytes, and the PV note
     * when {@code para} is not null.
     */
    public static byte[] image(int load, int entry, byte[] segment, int memBytes, int mbFlags, ParaPages para) {
        if (segment.length < 12 || memBytes < segment.length) throw new IllegalArgumentException("segment " + segment.length + " of " + memBytes);
        ByteBuffer f = ByteBuffer.allocate(FILE_SEGMENT + segment.length).order(ByteOrder.LITTLE_ENDIAN);
        int phnum = para != null ? 2 : 1;
        f.put(new byte[] {0x7F, 'E', 'L', 'F', 1, 1, 1, 0});
        f.position(16);
        f.putShort((short) 2).putShort((short) 3).putInt(1).putInt(entry).putInt(52).putInt(0).putInt(0)
                .putShort((short) 52).putShort((short) 32).putShort((short) phnum).putShort((short) 40)
                .putShort((short) 0).putShort((short) 0);
        f.putInt(1).putInt(FILE_SEGMENT).putInt(load).putInt(load).putInt(segment.length).putInt(memBytes).putInt(7).putInt(0x1000);
        if (para != null) {
            f.putInt(4).putInt(NOTE).putInt(0).putInt(0).putInt(36).putInt(36).putInt(4).putInt(4);
            f.position(NOTE);
            f.putInt(PvAbi.NOTE_NAME.length() + 1).putInt(12).putInt(PvAbi.NOTE_PARA);
            f.put("Popek\0\0\0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            f.putInt(PvAbi.VERSION).putInt(para.hypercallPage()).putInt(para.sharedInfo());
        }
        f.put(FILE_SEGMENT, segment);
        f.putInt(FILE_SEGMENT, MAGIC).putInt(FILE_SEGMENT + 4, mbFlags).putInt(FILE_SEGMENT + 8, -(MAGIC + mbFlags));
        return f.array();
    }
}
