package popek.linux.loader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an ELF32 i386 file that execve needs: its header and program headers (the PT_LOAD segments, PT_INTERP
 * and PT_PHDR), read from the first bytes of the file. Anything that is not a little-endian ELF32 i386 executable or
 * shared object is refused with a reason (execve's ENOEXEC).
 */
public record Elf32(int type, int entry, int phoff, int phnum, List<Segment> segments, String interpreter, int phdrVaddr) {
    public static final int ET_EXEC = 2, ET_DYN = 3, EM_386 = 3;
    public static final int PT_LOAD = 1, PT_INTERP = 3, PT_PHDR = 6;
    public static final int PF_X = 1, PF_W = 2, PF_R = 4;
    /** The size of one program header (AT_PHENT). */
    public static final int PHENT = 32;

    /** One program header. */
    public record Segment(int type, int offset, int vaddr, int filesz, int memsz, int flags, int align) {
        long vaddrU() { return vaddr & 0xFFFFFFFFL; }

        long offsetU() { return offset & 0xFFFFFFFFL; }

        long fileszU() { return filesz & 0xFFFFFFFFL; }

        long memszU() { return memsz & 0xFFFFFFFFL; }
    }

    /** Thrown for a file that is not a loadable i386 ELF (execve fails with ENOEXEC, or EINVAL/EIO as noted). */
    public static final class NotElf extends Exception {
        public NotElf(String why) { super(why, null, false, false); }
    }

    public static boolean isElf(byte[] head) {
        return head.length >= 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
    }

    /**
     * Parses {@code head} (the file's first bytes: at least the header and program headers; {@link #headerBytes}
     * says how many are needed). {@code interp} reads the PT_INTERP path when it lies beyond {@code head}.
     */
    public static Elf32 parse(byte[] head, FileBytes file) throws NotElf {
        if (head.length < 52 || !isElf(head)) throw new NotElf("not an ELF file");
        if (head[4] != 1) throw new NotElf("not a 32-bit ELF file");
        if (head[5] != 1) throw new NotElf("not a little-endian ELF file");
        ByteBuffer b = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        int type = b.getShort(16) & 0xFFFF, machine = b.getShort(18) & 0xFFFF;
        if (type != ET_EXEC && type != ET_DYN) throw new NotElf("not an executable or shared object (type " + type + ")");
        if (machine != EM_386) throw new NotElf("not an i386 program (machine " + machine + ")");
        int entry = b.getInt(24), phoff = b.getInt(28), phentsize = b.getShort(42) & 0xFFFF, phnum = b.getShort(44) & 0xFFFF;
        if (phentsize != PHENT || phnum == 0 || phnum > 128) throw new NotElf("bad program headers");
        byte[] ph = head;
        long need = (phoff & 0xFFFFFFFFL) + (long) phnum * PHENT;
        if (need > head.length) ph = file.read(phoff & 0xFFFFFFFFL, phnum * PHENT, true);
        ByteBuffer p = ByteBuffer.wrap(ph).order(ByteOrder.LITTLE_ENDIAN);
        int base = ph == head ? phoff : 0;
        List<Segment> segs = new ArrayList<>();
        String interp = null;
        int phdr = 0;
        for (int i = 0; i < phnum; i++) {
            int o = base + i * PHENT;
            Segment s = new Segment(p.getInt(o), p.getInt(o + 4), p.getInt(o + 8), p.getInt(o + 16), p.getInt(o + 20), p.getInt(o + 24), p.getInt(o + 28));
            if (s.type == PT_LOAD) {
                if (s.fileszU() > s.memszU()) throw new NotElf("a segment's file size exceeds its memory size");
                if (s.vaddrU() + s.memszU() > 0xC0000000L) throw new NotElf("a segment lies outside user space");
                if (((s.vaddr - s.offset) & 0xFFF) != 0) throw new NotElf("a segment's address and offset disagree in page offset");
                segs.add(s);
            } else if (s.type == PT_INTERP) {
                if (s.filesz <= 1 || s.filesz > 4096) throw new NotElf("bad PT_INTERP");
                byte[] path = file.read(s.offsetU(), s.filesz, false);
                int len = 0;
                while (len < path.length && path[len] != 0) len++;
                interp = new String(path, 0, len, java.nio.charset.StandardCharsets.ISO_8859_1);
            } else if (s.type == PT_PHDR) {
                phdr = s.vaddr;
            }
        }
        if (segs.isEmpty()) throw new NotElf("no loadable segment");
        return new Elf32(type, entry, phoff, phnum, List.copyOf(segs), interp, phdr);
    }

    /** Reads file bytes the first page did not hold. */
    @FunctionalInterface
    public interface FileBytes {
        /** {@code len} bytes from {@code offset}; short only past the end of the file (then {@code exact} fails it). */
        byte[] read(long offset, int len, boolean exact) throws NotElf;
    }

    /** The lowest and highest (page-rounded) addresses the PT_LOAD segments span, unrelocated. */
    long lowest() { return segments.stream().mapToLong(s -> s.vaddrU() & ~0xFFFL).min().orElse(0); }

    long highest() { return segments.stream().mapToLong(s -> (s.vaddrU() + s.memszU() + 0xFFF) & ~0xFFFL).max().orElse(0); }
}
