package popek.platform.multiboot;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/** Builds tiny Multiboot kernel images in memory, so the loader tests need no toolchain and no fixture files. */
public final class KernelImages {
    static final int MAGIC = 0x1BADB002;
    static final int PAGE_ALIGN_AND_MEMORY_INFO = 0x3;
    static final int AOUT_KLUDGE = 1 << 16;

    private KernelImages() {}

    /** The 12-byte header: magic, flags, and a checksum that makes the three sum to zero. */
    static byte[] header(int flags) {
        return le(12).putInt(MAGIC).putInt(flags).putInt(-(MAGIC + flags)).array();
    }

    /** The 32-byte header with the a.out-kludge address fields (flag bit 16 is added). */
    public static byte[] aoutHeader(int flags, long headerAddr, long loadAddr, long loadEndAddr, long bssEndAddr, long entryAddr) {
        int f = flags | AOUT_KLUDGE;
        return le(32).putInt(MAGIC).putInt(f).putInt(-(MAGIC + f))
                .putInt((int) headerAddr).putInt((int) loadAddr).putInt((int) loadEndAddr).putInt((int) bssEndAddr)
                .putInt((int) entryAddr).array();
    }

    /** A flat a.out-kludge image: code bytes with the header copied in at headerOffset. */
    public static byte[] flat(byte[] code, int headerOffset, byte[] header) {
        byte[] image = code.clone();
        System.arraycopy(header, 0, image, headerOffset, header.length);
        return image;
    }

    /** Bytes 1, 2, 3, …, wrapping: recognisable in RAM and never all zero. */
    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (seed + i + 1);
        return b;
    }

    static ByteBuffer le(int size) { return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN); }

    /**
     * An ELF32 executable: ELF header, program headers, the Multiboot header, then each segment's file bytes. Every
     * field defaults to a valid i386 kernel and can be spoiled by the test that needs it.
     */
    static final class Elf {
        record Segment(int type, long vaddr, long paddr, byte[] bytes, long memsz) {}

        int elfClass = 1, dataEncoding = 1, type = 2, machine = 3;
        int multibootFlags = PAGE_ALIGN_AND_MEMORY_INFO;
        long entry;
        final List<Segment> segments = new ArrayList<>();

        Elf entry(long e) { entry = e; return this; }

        Elf load(long paddr, byte[] bytes, long memsz) { return load(paddr, paddr, bytes, memsz); }

        Elf load(long vaddr, long paddr, byte[] bytes, long memsz) {
            segments.add(new Segment(1, vaddr, paddr, bytes, memsz));
            return this;
        }

        Elf note(byte[] bytes) {   // a non-PT_LOAD header (PT_NOTE), which the loader must ignore
            segments.add(new Segment(4, 0, 0, bytes, bytes.length));
            return this;
        }

        /** The file offset where segment i's bytes start. */
        int offsetOf(int i) {
            int at = align16(52 + 32 * segments.size() + 12);
            for (int k = 0; k < i; k++) at = align16(at + segments.get(k).bytes().length);
            return at;
        }

        byte[] build() {
            int size = offsetOf(segments.size());
            ByteBuffer b = le(size);
            b.put(new byte[] {0x7F, 'E', 'L', 'F', (byte) elfClass, (byte) dataEncoding, 1, 0});
            b.position(16);
            b.putShort((short) type).putShort((short) machine).putInt(1).putInt((int) entry).putInt(52).putInt(0).putInt(0)
                    .putShort((short) 52).putShort((short) 32).putShort((short) segments.size()).putShort((short) 40)
                    .putShort((short) 0).putShort((short) 0);
            for (int i = 0; i < segments.size(); i++) {
                Segment s = segments.get(i);
                b.putInt(s.type()).putInt(offsetOf(i)).putInt((int) s.vaddr()).putInt((int) s.paddr())
                        .putInt(s.bytes().length).putInt((int) s.memsz()).putInt(5).putInt(0x1000);
            }
            b.put(header(multibootFlags));
            for (int i = 0; i < segments.size(); i++) b.put(offsetOf(i), segments.get(i).bytes());
            return b.array();
        }

        private static int align16(int x) { return (x + 15) & ~15; }
    }
}
