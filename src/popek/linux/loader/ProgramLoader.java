package popek.linux.loader;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import popek.linux.abi.Errno;
import popek.linux.abi.SyscallException;
import popek.linux.mm.Mappable;
import popek.linux.mm.MemoryManager;
import popek.linux.mm.PagePool;
import popek.linux.mm.UserMemory;
import popek.linux.mm.Vma;
import popek.linux.vfs.FileDescription;

/**
 * execve's loader (fs/binfmt_elf.c and binfmt_script.c): follows {@code #!} lines to the real program, checks it is an
 * i386 ELF, opens its PT_INTERP (ld-linux.so.2 for a dynamic program), and then, past the point of no return, maps
 * both into a fresh address space and builds the initial stack (argv, envp, auxv). Everything that can fail because
 * of the files is found in {@link #prepare}, while the caller's old program is still intact.
 */
public final class ProgramLoader {
    private ProgramLoader() { }

    /** Where a position-independent executable is placed (as a 32-bit program sees it on an x86-64 Linux). */
    public static final long PIE_BASE = 0x56555000L;
    /** Linux follows at most this many {@code #!} interpreters (binfmt_script's recursion limit). */
    static final int MAX_SCRIPT_DEPTH = 4;
    /** binfmt_script reads this much of a script's first line. */
    static final int SCRIPT_LINE = 256;

    /** Opens a file for execution (permission checks included); throws SyscallException with the errno. */
    @FunctionalInterface
    public interface Opener {
        FileDescription open(String path);
    }

    /** A program ready to load: the ELF, its interpreter's, the argv the program will see. */
    public record Prepared(String path, Elf32 elf, Mappable file, Elf32 interp, Mappable interpFile, byte[][] argv, byte[] execfn) { }

    /**
     * Resolves {@code path} (through up to four {@code #!} scripts) to an ELF program and its interpreter. Throws
     * SyscallException: ENOEXEC for a file no format recognises, ELOOP for too many scripts, EACCES for a file that
     * cannot be mapped, and the opener's errors.
     */
    public static Prepared prepare(Opener opener, String path, byte[][] argv) {
        byte[] execfn = path.getBytes(StandardCharsets.ISO_8859_1);
        String current = path;
        byte[][] args = argv;
        for (int depth = 0; ; depth++) {
            Mappable file = mappableOf(opener.open(current));
            byte[] head = readHead(file);
            if (head.length >= 2 && head[0] == '#' && head[1] == '!') {
                if (depth >= MAX_SCRIPT_DEPTH) throw Errno.error(Errno.ELOOP);
                String[] line = scriptLine(head);
                List<byte[]> a = new ArrayList<>();
                a.add(line[0].getBytes(StandardCharsets.ISO_8859_1));
                if (line[1] != null) a.add(line[1].getBytes(StandardCharsets.ISO_8859_1));
                a.add(current.getBytes(StandardCharsets.ISO_8859_1));
                for (int i = 1; i < args.length; i++) a.add(args[i]);
                args = a.toArray(new byte[0][]);
                current = line[0];
                continue;
            }
            Elf32 elf = parse(head, file);
            Elf32 interp = null;
            Mappable interpFile = null;
            if (elf.interpreter() != null) {
                interpFile = mappableOf(opener.open(elf.interpreter()));
                interp = parse(readHead(interpFile), interpFile);
                if (interp.interpreter() != null) throw Errno.error(Errno.ELIBBAD);
            }
            return new Prepared(current, elf, file, interp, interpFile, args, execfn);
        }
    }

    private static Mappable mappableOf(FileDescription f) {
        try {
            Mappable m = f.mappable();
            if (m == null) throw Errno.error(Errno.EACCES);
            return m;
        } finally {
            f.close();
        }
    }

    private static byte[] readHead(Mappable file) {
        byte[] page = new byte[PagePool.PAGE_SIZE];
        if (!file.readPage(0, MemorySegment.ofArray(page))) return new byte[0];
        return page;
    }

    private static Elf32 parse(byte[] head, Mappable file) {
        try {
            return Elf32.parse(head, (offset, len, exact) -> readAt(file, offset, len, exact));
        } catch (Elf32.NotElf e) {
            throw Errno.error(Errno.ENOEXEC);
        }
    }

    private static byte[] readAt(Mappable file, long offset, int len, boolean exact) throws Elf32.NotElf {
        byte[] out = new byte[len];
        byte[] page = new byte[PagePool.PAGE_SIZE];
        int done = 0;
        while (done < len) {
            long at = offset + done;
            long pageStart = at & ~0xFFFL;
            if (!file.readPage(pageStart, MemorySegment.ofArray(page))) {
                if (exact) throw new Elf32.NotElf("the file ends early");
                return Arrays.copyOf(out, done);
            }
            int from = (int) (at - pageStart), n = Math.min(len - done, PagePool.PAGE_SIZE - from);
            System.arraycopy(page, from, out, done, n);
            done += n;
        }
        return out;
    }

    /** The interpreter and its optional argument from a {@code #!} line. */
    static String[] scriptLine(byte[] head) {
        int end = 2;
        while (end < Math.min(head.length, SCRIPT_LINE) && head[end] != '\n') end++;
        String line = new String(head, 2, end - 2, StandardCharsets.ISO_8859_1);
        line = line.strip();
        if (line.isEmpty()) throw Errno.error(Errno.ENOEXEC);
        int sp = 0;
        while (sp < line.length() && line.charAt(sp) != ' ' && line.charAt(sp) != '\t') sp++;
        String interp = line.substring(0, sp);
        String arg = line.substring(sp).strip();
        return new String[] {interp, arg.isEmpty() ? null : arg};
    }

    /** What the new program starts with. */
    public record Image(long entry, long stackPointer, long brkStart, long stackTop) { }

    /**
     * Maps the prepared program (and its interpreter) into {@code mm}, an empty address space, and builds its stack.
     * Throws SyscallException (ENOMEM) when memory runs out; the caller then kills the process, as Linux does past
     * the point of no return.
     */
    public static Image load(Prepared p, MemoryManager mm, UserMemory mem, byte[][] envp, AuxInfo aux) {
        Elf32 elf = p.elf();
        long bias = elf.type() == Elf32.ET_DYN ? PIE_BASE - elf.lowest() : 0;
        long end = mapSegments(elf, p.file(), mm, mem, bias);
        long phdr = elf.phdrVaddr() != 0 ? (elf.phdrVaddr() & 0xFFFFFFFFL) + bias : phdrFromLoad(elf) + bias;
        long interpBase = 0;
        long entry = (elf.entry() & 0xFFFFFFFFL) + bias;
        long start = entry;
        if (p.interp() != null) {
            Elf32 ie = p.interp();
            long span = ie.highest() - ie.lowest();
            long at = mm.map(0, span, 0, 0, false, null, 0, null);   // a hole to place the interpreter in
            if (at < 0) throw Errno.error(Errno.ENOMEM);
            long ibias = at - ie.lowest();
            mapSegments(ie, p.interpFile(), mm, mem, ibias);
            interpBase = at;
            start = (ie.entry() & 0xFFFFFFFFL) + ibias;
        }
        long stackTop = MemoryManager.TASK_SIZE;
        long s = mm.map(stackTop - InitialStack.INITIAL_SIZE, InitialStack.INITIAL_SIZE, Vma.PROT_READ | Vma.PROT_WRITE | Vma.PROT_EXEC,
                Vma.GROWSDOWN, true, null, 0, "[stack]");
        if (s < 0) throw Errno.error(Errno.ENOMEM);
        long sp = InitialStack.build(mem, stackTop, p.argv(), envp, p.execfn(), aux, phdr, elf.phnum(), interpBase, entry);
        mm.setBrkStart(end);
        return new Image(start, sp, end, stackTop);
    }

    private static long phdrFromLoad(Elf32 elf) {
        for (Elf32.Segment s : elf.segments()) {
            long off = elf.phoff() & 0xFFFFFFFFL;
            if (off >= s.offsetU() && off < s.offsetU() + s.fileszU()) return s.vaddrU() + (off - s.offsetU());
        }
        return 0;
    }

    /** Maps every PT_LOAD segment at {@code bias}; returns the end of the highest (where the heap starts). */
    private static long mapSegments(Elf32 elf, Mappable file, MemoryManager mm, UserMemory mem, long bias) {
        long top = 0;
        for (Elf32.Segment seg : elf.segments()) {
            int prot = ((seg.flags() & Elf32.PF_R) != 0 ? Vma.PROT_READ : 0) | ((seg.flags() & Elf32.PF_W) != 0 ? Vma.PROT_WRITE : 0)
                    | ((seg.flags() & Elf32.PF_X) != 0 ? Vma.PROT_EXEC : 0);
            long va = seg.vaddrU() + bias;
            long start = va & ~0xFFFL;
            long fileEnd = va + seg.fileszU(), memEnd = va + seg.memszU();
            long anonStart = start;
            if (seg.filesz() != 0) {
                long len = ((fileEnd + 0xFFF) & ~0xFFFL) - start;
                if (mm.map(start, len, prot, 0, true, file, seg.offsetU() & ~0xFFFL, null) < 0) throw Errno.error(Errno.ENOMEM);
                anonStart = start + len;
                long pageEnd = (fileEnd + 0xFFF) & ~0xFFFL;
                if (memEnd > fileEnd && (fileEnd & 0xFFF) != 0 && (prot & Vma.PROT_WRITE) != 0) {
                    // The bss's first bytes share the file's last page: zeroed to the end of that page, as Linux's
                    // padzero does (ld.so's early malloc uses the rest of its last page and counts on zeros there).
                    mem.zero(fileEnd, (int) (pageEnd - fileEnd));
                }
            }
            long memTop = (memEnd + 0xFFF) & ~0xFFFL;
            if (memTop > anonStart && mm.map(anonStart, memTop - anonStart, prot, 0, true, null, 0, null) < 0) {
                throw Errno.error(Errno.ENOMEM);
            }
            top = Math.max(top, memEnd);
        }
        return top;
    }

    /** Re-throws as the errno execve reports. */
    static SyscallException noexec() { return Errno.error(Errno.ENOEXEC); }
}
