package popek.linux.kernel;

import popek.engine.RegisterFile;

/**
 * A system call's number and six arguments as i386 passes them (EAX; EBX, ECX, EDX, ESI, EDI, EBP), read from the
 * registers once per call into this reused holder. {@link #u} gives an argument as an unsigned address.
 */
public final class SyscallArgs {
    public int nr;
    public int a0, a1, a2, a3, a4, a5;

    /** Reads the call from the CPU's registers. */
    public void load(RegisterFile r) {
        nr = r.get(RegisterFile.EAX);
        a0 = r.get(RegisterFile.EBX);
        a1 = r.get(RegisterFile.ECX);
        a2 = r.get(RegisterFile.EDX);
        a3 = r.get(RegisterFile.ESI);
        a4 = r.get(RegisterFile.EDI);
        a5 = r.get(RegisterFile.EBP);
    }

    /** Argument {@code i} (0-5) as a signed int. */
    public int get(int i) {
        return switch (i) {
            case 0 -> a0;
            case 1 -> a1;
            case 2 -> a2;
            case 3 -> a3;
            case 4 -> a4;
            case 5 -> a5;
            default -> throw new IllegalArgumentException("argument " + i);
        };
    }

    /** An argument as an unsigned 32-bit value (a pointer, a size_t). */
    public static long u(int arg) { return arg & 0xFFFFFFFFL; }

    /** Two arguments as one 64-bit value, low word first (how i386 passes loff_t: pread64, ftruncate64, ...). */
    public static long pair(int low, int high) { return (low & 0xFFFFFFFFL) | ((long) high << 32); }
}
