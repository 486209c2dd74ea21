package popek.linux.loader;

import java.nio.charset.StandardCharsets;

import popek.linux.mm.UserMemory;

/**
 * The stack a new i386 program finds (fs/binfmt_elf.c's create_elf_tables): at ESP argc, then argv's pointers and a
 * NULL, envp's and a NULL, the auxiliary vector (type, value pairs ending in AT_NULL); above them the strings, the 16
 * bytes AT_RANDOM points at and the platform name; ESP 16-byte aligned.
 */
final class InitialStack {
    private InitialStack() { }

    /** The stack area mapped at first (it grows down on faults, up to RLIMIT_STACK). */
    static final long INITIAL_SIZE = 128 * 1024;

    static final int AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8,
            AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16,
            AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_HWCAP2 = 26, AT_EXECFN = 31;

    /** Writes the stack below {@code top}; returns the initial ESP. */
    static long build(UserMemory m, long top, byte[][] argv, byte[][] envp, byte[] execfn, AuxInfo aux, long phdr, int phnum,
                      long interpBase, long entry) {
        long p = top - 4;   // Linux leaves the last word of the stack zero (the end marker)
        m.writeInt(p, 0);
        p -= execfn.length + 1;
        long execfnAt = p;
        m.writeBytesZ(p, execfn);
        long[] envAt = new long[envp.length];
        for (int i = envp.length - 1; i >= 0; i--) {
            p -= envp[i].length + 1;
            m.writeBytesZ(p, envp[i]);
            envAt[i] = p;
        }
        long[] argAt = new long[argv.length];
        for (int i = argv.length - 1; i >= 0; i--) {
            p -= argv[i].length + 1;
            m.writeBytesZ(p, argv[i]);
            argAt[i] = p;
        }
        byte[] platform = "i686".getBytes(StandardCharsets.US_ASCII);
        p -= platform.length + 1;
        long platformAt = p;
        m.writeBytesZ(p, platform);
        p &= ~15L;
        p -= 16;
        long randomAt = p;
        m.write(p, aux.random(), 0, 16);
        int[] auxv = {
            AT_HWCAP, aux.hwcap(), AT_PAGESZ, 4096, AT_CLKTCK, 100, AT_PHDR, (int) phdr, AT_PHENT, Elf32.PHENT,
            AT_PHNUM, phnum, AT_BASE, (int) interpBase, AT_FLAGS, 0, AT_ENTRY, (int) entry, AT_UID, aux.uid(),
            AT_EUID, aux.euid(), AT_GID, aux.gid(), AT_EGID, aux.egid(), AT_SECURE, aux.secure() ? 1 : 0,
            AT_RANDOM, (int) randomAt, AT_HWCAP2, 0, AT_EXECFN, (int) execfnAt, AT_PLATFORM, (int) platformAt, AT_NULL, 0};
        int words = 1 + argv.length + 1 + envp.length + 1 + auxv.length;
        p -= 4L * words;
        p &= ~15L;
        long sp = p;
        m.writeInt(p, argv.length);
        p += 4;
        for (long a : argAt) { m.writeInt(p, (int) a); p += 4; }
        m.writeInt(p, 0);
        p += 4;
        for (long e : envAt) { m.writeInt(p, (int) e); p += 4; }
        m.writeInt(p, 0);
        p += 4;
        for (int v : auxv) { m.writeInt(p, v); p += 4; }
        return sp;
    }
}
