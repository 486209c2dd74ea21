package popek.linux.mm;

/**
 * A virtual memory area: [start, end) with one protection and one backing (anonymous, or a file from an offset),
 * private (copy-on-write) or shared. Mutable only by its {@link MemoryManager}.
 */
public final class Vma {
    public static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
    /** Flags: shared between processes after fork (MAP_SHARED); grows down on faults below it (the stack). */
    public static final int SHARED = 1, GROWSDOWN = 2;

    long start, end;
    int prot;
    int flags;
    Mappable file;
    /** The file offset of {@link #start} (meaningful only with a file). */
    long offset;
    /** What /proc/[pid]/maps shows for an anonymous area: "[heap]", "[stack]", or "". */
    String name;

    Vma(long start, long end, int prot, int flags, Mappable file, long offset, String name) {
        this.start = start;
        this.end = end;
        this.prot = prot;
        this.flags = flags;
        this.file = file;
        this.offset = offset;
        this.name = name;
    }

    Vma copy() { return new Vma(start, end, prot, flags, file, offset, name); }

    /** This area cut to [from, to), the file offset moved along. */
    Vma slice(long from, long to) { return new Vma(from, to, prot, flags, file, file == null ? 0 : offset + (from - start), name); }

    public long start() { return start; }

    public long end() { return end; }

    public int prot() { return prot; }

    public boolean shared() { return (flags & SHARED) != 0; }

    public boolean growsDown() { return (flags & GROWSDOWN) != 0; }

    public Mappable file() { return file; }

    public long offset() { return offset; }

    public String name() { return file != null ? file.name() : name; }

    @Override
    public String toString() {
        return String.format("%08x-%08x %c%c%c%c %s", start, end, (prot & PROT_READ) != 0 ? 'r' : '-',
                (prot & PROT_WRITE) != 0 ? 'w' : '-', (prot & PROT_EXEC) != 0 ? 'x' : '-', shared() ? 's' : 'p', name());
    }
}
