package popek.linux.kernel;

import popek.linux.abi.Errno;
import popek.linux.mm.UserMemory;
import popek.linux.platform.Gdt;

/**
 * set_thread_area's {@code struct user_desc} and the GDT descriptors it becomes (arch/x86/kernel/tls.c): how glibc
 * gives each thread its TLS through GS. A task holds three such entries (GDT 6 to 8).
 */
final class ThreadArea {
    private ThreadArea() { }

    /**
     * Reads the user_desc at {@code at} into {@code tls} (pairs of descriptor words, entry 6 first). With
     * entry_number -1 it picks a free entry and writes the number back ({@code clone}: CLONE_SETTLS takes the entry
     * as given, never picking). Returns 0 or -errno.
     */
    static int parse(UserMemory m, long at, int[] tls, boolean clone) {
        int entry = m.readInt(at);
        int base = m.readInt(at + 4), limit = m.readInt(at + 8), bits = m.readInt(at + 12);
        if (entry == -1 && !clone) {
            for (int i = 0; i < Gdt.TLS_COUNT; i++) {
                if (tls[2 * i] == 0 && tls[2 * i + 1] == 0) {
                    entry = Gdt.TLS_FIRST + i;
                    break;
                }
            }
            if (entry == -1) return -Errno.ESRCH;
            m.writeInt(at, entry);
        }
        if (entry < Gdt.TLS_FIRST || entry >= Gdt.TLS_FIRST + Gdt.TLS_COUNT) return -Errno.EINVAL;
        int seg32 = bits & 1, contents = (bits >> 1) & 3, readExecOnly = (bits >> 3) & 1, limitInPages = (bits >> 4) & 1,
                notPresent = (bits >> 5) & 1, useable = (bits >> 6) & 1;
        int i = entry - Gdt.TLS_FIRST;
        boolean empty = (base == 0 && limit == 0 && contents == 0 && readExecOnly == 1 && seg32 == 0 && limitInPages == 0
                && notPresent == 1 && useable == 0) || (base == 0 && limit == 0 && bits == 0);
        if (empty) {
            tls[2 * i] = 0;
            tls[2 * i + 1] = 0;
            return 0;
        }
        if (contents == 3) return -Errno.EINVAL;   // a conforming code segment is refused, as Linux does
        int type = ((readExecOnly ^ 1) << 1) | (contents << 2) | 1;
        tls[2 * i] = ((base & 0xFFFF) << 16) | (limit & 0xFFFF);
        tls[2 * i + 1] = (base & 0xFF000000) | (limitInPages << 23) | (seg32 << 22) | (useable << 20) | (limit & 0xF0000)
                | ((notPresent ^ 1) << 15) | (3 << 13) | (1 << 12) | (type << 8) | ((base >>> 16) & 0xFF);
        return 0;
    }

    /** get_thread_area: the entry named in the user_desc at {@code at}, written back into it. */
    static int describe(UserMemory m, long at, int[] tls) {
        int entry = m.readInt(at);
        if (entry < Gdt.TLS_FIRST || entry >= Gdt.TLS_FIRST + Gdt.TLS_COUNT) return -Errno.EINVAL;
        int i = entry - Gdt.TLS_FIRST;
        int lo = tls[2 * i], hi = tls[2 * i + 1];
        int base = (lo >>> 16) | ((hi & 0xFF) << 16) | (hi & 0xFF000000);
        int limit = (lo & 0xFFFF) | (hi & 0xF0000);
        int type = (hi >> 8) & 0xF;
        int bits = ((hi >> 22) & 1) | (((type >> 2) & 3) << 1) | ((((type >> 1) & 1) ^ 1) << 3) | (((hi >> 23) & 1) << 4)
                | ((((hi >> 15) & 1) ^ 1) << 5) | (((hi >> 20) & 1) << 6);
        if (lo == 0 && hi == 0) bits = (1 << 3) | (1 << 5);   // an empty entry reads back as read_exec_only, not present
        m.writeInt(at + 4, base);
        m.writeInt(at + 8, limit);
        m.writeInt(at + 12, bits);
        return 0;
    }
}
