package popek.linux.mm;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import popek.linux.abi.Errno;
import popek.linux.abi.SyscallException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

/**
 * The one way Popek's kernel touches a program's memory: copies in and out, integers, C strings, all checked against
 * the address space as the CPU would check them (pages faulted in on demand, copy-on-write broken for writes). Any
 * address the program could not access itself throws {@link Errno#EFAULT} (a preallocated exception: a system call
 * then returns -EFAULT). Addresses are user-linear and unsigned (pass {@code int} pointers through
 * {@link #u}).
 */
public final class UserMemory {
    private static final int PAGE = PagePool.PAGE_SIZE;
    private static final MemorySegment ZERO_PAGE = MemorySegment.ofArray(new byte[PAGE]);
    private final MemoryManager mm;
    private final MemorySegment ram;

    public UserMemory(MemoryManager mm) {
        this.mm = mm;
        this.ram = mm.pool().memory();
    }

    public MemoryManager mm() { return mm; }

    /** A 32-bit user pointer as an unsigned address. */
    public static long u(int pointer) { return pointer & 0xFFFFFFFFL; }

    private static SyscallException fault() { return Errno.error(Errno.EFAULT); }

    /** The pool offset of {@code addr}, checked for {@code write}. */
    private long at(long addr, boolean write) {
        long off = mm.translate(addr, write);
        if (off < 0) throw fault();
        return off;
    }

    private static boolean samePage(long addr, int size) { return (addr & (PAGE - 1)) <= PAGE - size; }

    public int readInt(long addr) {
        if (samePage(addr, 4)) return ram.get(JAVA_INT_UNALIGNED, at(addr, false));
        return (readByte(addr) & 0xFF) | (readByte(addr + 1) & 0xFF) << 8 | (readByte(addr + 2) & 0xFF) << 16 | (readByte(addr + 3) & 0xFF) << 24;
    }

    public void writeInt(long addr, int value) {
        if (samePage(addr, 4)) {
            ram.set(JAVA_INT_UNALIGNED, at(addr, true), value);
            return;
        }
        at(addr, true);
        at(addr + 3, true);   // both pages writable before anything is written
        for (int i = 0; i < 4; i++) writeByte(addr + i, (byte) (value >>> (8 * i)));
    }

    public long readLong(long addr) { return (readInt(addr) & 0xFFFFFFFFL) | ((long) readInt(addr + 4) << 32); }

    public void writeLong(long addr, long value) {
        if (samePage(addr, 8)) {
            ram.set(JAVA_LONG_UNALIGNED, at(addr, true), value);
            return;
        }
        at(addr, true);
        at(addr + 7, true);
        writeInt(addr, (int) value);
        writeInt(addr + 4, (int) (value >>> 32));
    }

    public short readShort(long addr) {
        if (samePage(addr, 2)) return ram.get(JAVA_SHORT_UNALIGNED, at(addr, false));
        return (short) ((readByte(addr) & 0xFF) | (readByte(addr + 1) & 0xFF) << 8);
    }

    public void writeShort(long addr, short value) {
        if (samePage(addr, 2)) {
            ram.set(JAVA_SHORT_UNALIGNED, at(addr, true), value);
            return;
        }
        at(addr, true);
        at(addr + 1, true);
        writeByte(addr, (byte) value);
        writeByte(addr + 1, (byte) (value >>> 8));
    }

    public byte readByte(long addr) { return ram.get(JAVA_BYTE, at(addr, false)); }

    public void writeByte(long addr, byte value) { ram.set(JAVA_BYTE, at(addr, true), value); }

    /** Copies {@code len} bytes from user {@code addr} into {@code dst}. */
    public void read(long addr, byte[] dst, int off, int len) {
        checkRange(addr, len);
        while (len > 0) {
            int n = Math.min(len, PAGE - (int) (addr & (PAGE - 1)));
            MemorySegment.copy(ram, JAVA_BYTE, at(addr, false), dst, off, n);
            addr += n;
            off += n;
            len -= n;
        }
    }

    /** Copies {@code len} bytes of {@code src} to user {@code addr}; every page is checked before any is written. */
    public void write(long addr, byte[] src, int off, int len) {
        checkRange(addr, len);
        probe(addr, len, true);
        while (len > 0) {
            int n = Math.min(len, PAGE - (int) (addr & (PAGE - 1)));
            MemorySegment.copy(src, off, ram, JAVA_BYTE, at(addr, true), n);
            addr += n;
            off += n;
            len -= n;
        }
    }

    /**
     * Moves {@code len} bytes between user {@code addr} and host memory {@code seg} at {@code segOffset} ({@code toUser}
     * chooses the direction). Stops at the first inaccessible page and returns how many bytes moved (so a read into
     * a buffer half unmapped can return a short count, as Linux does); throws EFAULT only when none could.
     */
    public int transfer(long addr, MemorySegment seg, long segOffset, int len, boolean toUser) {
        int done = 0;
        while (done < len) {
            int n = Math.min(len - done, PAGE - (int) (addr & (PAGE - 1)));
            long off = addr >= 0 && addr < MemoryManager.TASK_SIZE ? mm.translate(addr, toUser) : -1;
            if (off < 0) {
                if (done == 0) throw fault();
                return done;
            }
            if (toUser) MemorySegment.copy(seg, segOffset + done, ram, off, n);
            else MemorySegment.copy(ram, off, seg, segOffset + done, n);
            addr += n;
            done += n;
        }
        return done;
    }

    /** Writes {@code len} zero bytes at user {@code addr}. */
    public void zero(long addr, int len) {
        checkRange(addr, len);
        probe(addr, len, true);
        while (len > 0) {
            int n = Math.min(len, PAGE - (int) (addr & (PAGE - 1)));
            MemorySegment.copy(ZERO_PAGE, 0, ram, at(addr, true), n);   // no slice made: stat's path allocates nothing
            addr += n;
            len -= n;
        }
    }

    /** Faults in every page of [addr, addr + len) for reading or writing; throws EFAULT if one cannot be. */
    public void probe(long addr, long len, boolean write) {
        if (len <= 0) return;
        checkRange(addr, len);
        for (long p = addr & ~(PAGE - 1L); p < addr + len; p += PAGE) at(p, write);
    }

    private static void checkRange(long addr, long len) {
        if (len < 0 || addr < 0 || addr + len > MemoryManager.TASK_SIZE) throw fault();
    }

    /**
     * A NUL-terminated string at {@code addr} of at most {@code max} bytes before the NUL (UTF-8 decoded; file names
     * may be any bytes, which decode losslessly only as ISO-8859-1: see {@link #readBytesZ}). Throws ENAMETOOLONG when
     * longer, EFAULT when unreadable.
     */
    public String readString(long addr, int max) {
        byte[] b = readBytesZ(addr, max);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** The bytes of the NUL-terminated string at {@code addr}, without the NUL; at most {@code max} (else ENAMETOOLONG). */
    public byte[] readBytesZ(long addr, int max) {
        int len = 0;
        long p = addr;
        for (;;) {
            if (p < 0 || p >= MemoryManager.TASK_SIZE) throw fault();
            long off = at(p, false);
            int n = PAGE - (int) (p & (PAGE - 1));
            for (int i = 0; i < n; i++) {
                if (ram.get(JAVA_BYTE, off + i) == 0) {
                    byte[] out = new byte[len + i];
                    read(addr, out, 0, out.length);
                    return out;
                }
            }
            len += n;
            p += n;
            if (len > max) throw Errno.error(Errno.ENAMETOOLONG);
        }
    }

    /**
     * A NULL-terminated array of string pointers (argv, envp) at {@code addr}: at most {@code maxCount} entries and
     * {@code maxBytes} bytes in all (else E2BIG).
     */
    public byte[][] readStringArray(long addr, int maxCount, int maxBytes) {
        if (addr == 0) return new byte[0][];
        java.util.ArrayList<byte[]> out = new java.util.ArrayList<>();
        long total = 0;
        for (int i = 0; ; i++) {
            if (i >= maxCount) throw Errno.error(Errno.E2BIG);
            long p = u(readInt(addr + 4L * i));
            if (p == 0) break;
            byte[] s = readBytesZ(p, maxBytes);
            total += s.length + 1;
            if (total > maxBytes) throw Errno.error(Errno.E2BIG);
            out.add(s);
        }
        return out.toArray(new byte[0][]);
    }

    /** Writes {@code s}'s bytes and a NUL at {@code addr}; returns the bytes written (with the NUL). */
    public int writeBytesZ(long addr, byte[] s) {
        byte[] z = java.util.Arrays.copyOf(s, s.length + 1);
        write(addr, z, 0, z.length);
        return z.length;
    }
}
